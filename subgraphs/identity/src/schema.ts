import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@argus/platform';
import { IdentityResolver } from './resolvers/identity-resolver.js';

/** The identity subgraph's schema; needs no database (codegen composes from it). */
export function buildIdentitySchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({ resolvers: [IdentityResolver] });
}
