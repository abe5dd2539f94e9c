import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { ChannelBillingResolver, ChannelBindingResolver, ResourcePackageResolver } from './resolvers/billing-resolvers.js';
import { ChannelRef } from './entities/channel-ref.js';

/** The billing subgraph's schema; needs no database (codegen composes from it). */
export function buildBillingSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [ResourcePackageResolver, ChannelBindingResolver, ChannelBillingResolver], orphanedTypes: [ChannelRef] },
    { Channel: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  );
}
