import type { GraphQLSchema } from 'graphql';
import type { ServiceRuntime, SubgraphName } from '@argus/platform';
import { buildIdentitySchema, startIdentitySubgraph } from '@argus/subgraph-identity';
import { buildDevicesSchema, startDevicesSubgraph } from '@argus/subgraph-devices';
import { buildMediaSchema, startMediaSubgraph } from '@argus/subgraph-media';
import { buildEventsSchema, startEventsSubgraph } from '@argus/subgraph-events';
import { buildBillingSchema, startBillingSubgraph } from '@argus/subgraph-billing';

export interface SubgraphModule {
  build: () => Promise<GraphQLSchema>;
  start: (runtime: ServiceRuntime) => Promise<{ port: number; close(): Promise<void> }>;
}

/** Every subgraph Argus composes, in start order. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphModule> = {
  identity: { build: buildIdentitySchema, start: (rt) => startIdentitySubgraph(rt) },
  devices: { build: buildDevicesSchema, start: startDevicesSubgraph },
  media: { build: buildMediaSchema, start: startMediaSubgraph },
  events: { build: buildEventsSchema, start: startEventsSubgraph },
  billing: { build: buildBillingSchema, start: startBillingSubgraph },
};
