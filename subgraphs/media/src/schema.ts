import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { ChannelMediaResolver, ChannelPublishResolver, PlayGrantResolver } from './resolvers/media-resolvers.js';
import { StreamResolver } from './resolvers/stream-resolvers.js';
import { SnapshotResolver } from './resolvers/snapshot-resolver.js';
import { ChannelRef } from './entities/channel-ref.js';
import { TalkResolver } from './talk/talk-resolvers.js';

/** The media subgraph's schema; needs no database (codegen composes from it). */
export function buildMediaSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [ChannelMediaResolver, ChannelPublishResolver, PlayGrantResolver, StreamResolver, SnapshotResolver, TalkResolver], orphanedTypes: [ChannelRef] },
    { Channel: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  );
}
