import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { AlarmResolver, ChannelAlarmsResolver } from './resolvers/alarm-resolver.js';
import { DeviceRef } from './entities/refs.js';
import type { EventsContext } from './context.js';

/**
 * type-graphql insists on a PubSub when a schema has subscriptions, even though every
 * subscription here brings its own `subscribe` (fed by the bus); this one is never used.
 */
const unusedPubSub = {
  publish: () => undefined,
  subscribe: (): AsyncIterable<unknown> => {
    throw new Error('events subscriptions are fed by the bus (busIterator), not by a PubSub');
  },
};

/** The events subgraph's schema; needs no database (codegen composes from it). */
export function buildEventsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [AlarmResolver, ChannelAlarmsResolver], orphanedTypes: [DeviceRef], pubSub: unusedPubSub },
    {
      Channel: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
      Device: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
      Alarm: { __resolveReference: (ref: { id: string }, ctx: EventsContext) => ctx.alarms.resolveReference(ctx.caller, ref.id) },
    },
  );
}
