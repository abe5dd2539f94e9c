import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { ResourcePackageResolver } from './resolvers/package-resolvers.js';
import { ChannelBillingResolver, ChannelBindingResolver } from './resolvers/binding-resolvers.js';
import { AccountResolver, OrderResolver, PriceResolver } from './resolvers/account-resolvers.js';
import { UsageResolver } from './resolvers/usage-resolvers.js';
import { ChannelRef } from './entities/channel-ref.js';

/** The billing subgraph's schema; needs no database (codegen composes from it). */
export function buildBillingSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        ResourcePackageResolver, ChannelBindingResolver, ChannelBillingResolver,
        AccountResolver, OrderResolver, PriceResolver, UsageResolver,
      ],
      orphanedTypes: [ChannelRef],
    },
    { Channel: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) } },
  );
}
