import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { DeviceChangeResolver, DeviceResolver } from './resolvers/device-resolver.js';
import { ChannelResolver } from './resolvers/channel-resolver.js';
import { GroupResolver } from './resolvers/group-resolver.js';
import { canSee } from './devices-service.js';
import type { DevicesContext, Loaders } from './context.js';

/**
 * Entity references from other subgraphs (_entities), batched per request (one query for a
 * whole list of channels) and tenant-scoped: another tenant's row resolves to null.
 */
function reference<K extends 'device' | 'channel' | 'group'>(loader: K) {
  return {
    async __resolveReference(ref: { id?: unknown }, ctx: DevicesContext) {
      if (typeof ref.id !== 'string') return null;
      const row = await (ctx.loaders[loader] as Loaders[K]).load(ref.id);
      return row && canSee(ctx.caller, row.tenantId) ? row : null;
    },
  };
}

/**
 * type-graphql insists on a PubSub when a schema has subscriptions, although deviceChanged
 * brings its own `subscribe` (fed by the bus through busIterator); this one is never used.
 */
const unusedPubSub = {
  publish: () => undefined,
  subscribe: (): AsyncIterable<unknown> => {
    throw new Error('devices subscriptions are fed by the bus (busIterator), not by a PubSub');
  },
};

/** The devices subgraph's schema; needs no database (codegen composes from it). */
export function buildDevicesSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [DeviceResolver, DeviceChangeResolver, ChannelResolver, GroupResolver], pubSub: unusedPubSub },
    { Device: reference('device'), Channel: reference('channel'), DeviceGroup: reference('group') },
  );
}
