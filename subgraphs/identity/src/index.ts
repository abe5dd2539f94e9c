import 'reflect-metadata';
import { Redis } from 'ioredis';
import { openOrm, createSubgraphServer, type ServiceRuntime } from '@argus/platform';
import { Tenant } from './entities/tenant.js';
import { App } from './entities/app.js';
import { AccessToken } from './entities/access-token.js';
import { identityMigrations } from './migrations/m0001-init.js';
import { IdentityService } from './identity-service.js';
import { MemoryReplayGuard, RedisReplayGuard, type ReplayGuard } from './replay-guard.js';
import { buildIdentitySchema } from './schema.js';
import type { IdentityContext } from './context.js';

export { IdentityService, TOKEN_REVOKED_SUBJECT, MAX_ACTIVE_TOKENS_PER_APP } from './identity-service.js';
export { signRequest, signedHeadersOf, stringToSign, bodyMd5, type SignedRequestHeaders } from './signed-request.js';
export { TokenCodec, type TokenClaims } from './token-codec.js';
export { buildIdentitySchema } from './schema.js';

/** Root fields a caller without credentials may use. */
export const PUBLIC_ROOT_FIELDS = ['issueAccessToken'];

/** Opens the identity store (used by the subgraph and by the gateway to check credentials). */
export async function openIdentity(runtime: ServiceRuntime): Promise<IdentityService> {
  const orm = await openOrm(runtime.config, {
    schema: 'identity',
    entities: [Tenant, App, AccessToken],
    migrations: identityMigrations,
    logger: runtime.logger,
  });
  const replay: ReplayGuard = runtime.config.REDIS_URL
    ? new RedisReplayGuard(new Redis(runtime.config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 }))
    : new MemoryReplayGuard();
  const service = new IdentityService(orm, runtime, replay);
  await service.start();
  runtime.lifecycle.onStop('identity-db', async () => {
    await replay.close();
    await orm.close();
  });
  return service;
}

export async function startIdentitySubgraph(runtime: ServiceRuntime, identity?: IdentityService) {
  const logger = runtime.logger.child({ service: 'identity' });
  const service = identity ?? (await openIdentity(runtime));
  const server = await createSubgraphServer<IdentityContext>({
    name: 'identity',
    schema: await buildIdentitySchema(),
    logger,
    signer: runtime.signer,
    publicRootFields: PUBLIC_ROOT_FIELDS,
    createContext: (base) => ({ ...base, identity: service }),
  });
  const port = await server.listen(runtime.config.portOf('identity'), runtime.config.ARGUS_HOST);
  runtime.lifecycle.onStop('identity-http', () => server.close());
  logger.info({ port }, 'identity subgraph listening');
  return { port, identity: service, close: () => server.close() };
}
