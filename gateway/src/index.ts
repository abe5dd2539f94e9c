import { SUBGRAPH_NAMES, type ServiceRuntime } from '@argus/platform';
import { openIdentity, type IdentityService } from '@argus/subgraph-identity';
import { fetchAndCompose } from './compose-supergraph.js';
import { createGateway } from './gateway.js';

export { composeSupergraph, fetchAndCompose } from './compose-supergraph.js';
export { createGateway } from './gateway.js';

/** Starts the gateway once every subgraph answers; returns its port. */
export async function startGateway(runtime: ServiceRuntime, identity?: IdentityService) {
  const logger = runtime.logger.child({ service: 'gateway' });
  const ids = identity ?? (await openIdentity(runtime));
  const endpoints = SUBGRAPH_NAMES.map((name) => ({ name, url: runtime.config.subgraphUrl(name) }));
  const { supergraphSdl } = await fetchAndCompose(endpoints, runtime.signer, logger);
  const gateway = await createGateway({ runtime, identity: ids, supergraphSdl });
  const port = await gateway.listen(runtime.config.GATEWAY_PORT, runtime.config.GATEWAY_HOST);
  runtime.lifecycle.onStop('gateway', () => gateway.close());
  logger.info({ port }, 'gateway listening');
  return { port, close: () => gateway.close() };
}
