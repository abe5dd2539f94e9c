import 'reflect-metadata';
import { SUBGRAPH_NAMES } from '@argus/platform';
import { openIdentity, startIdentitySubgraph } from '@argus/subgraph-identity';
import { startGateway } from '@argus/gateway';
import { startAccess } from '@argus/access';
import { startMediaNode } from '@argus/media';
import { mediaModules } from './media-modules.js';
import { boot } from './boot.js';
import { SUBGRAPHS } from './services.js';

/**
 * The embedded default: every Argus service in one process, SQLite under ./data, the
 * in-process bus. `npm start` runs this.
 */
const runtime = await boot('argus');
const { config, logger } = runtime;
try {
  const identity = await openIdentity(runtime);
  await startIdentitySubgraph(runtime, identity);
  for (const name of SUBGRAPH_NAMES) if (name !== 'identity') await SUBGRAPHS[name].start(runtime);
  const { port } = await startGateway(runtime, identity);
  const access = await startAccess(runtime);
  const media = await startMediaNode(runtime, mediaModules(runtime));
  const admin = await identity.bootstrapAdmin();
  const host = config.GATEWAY_HOST === '0.0.0.0' ? '127.0.0.1' : config.GATEWAY_HOST;
  const url = config.GATEWAY_PUBLIC_URL ?? `http://${host}:${port}/graphql`;
  const lines = [
    '',
    `Argus is running (embedded: ${config.database.kind === 'sqlite' ? `SQLite in ${config.database.dir}` : 'PostgreSQL'}, ${runtime.bus.kind} bus)`,
    `  GraphQL (HTTP, SSE and graphql-ws): ${url}`,
    `  access tokens:                      POST ${url.replace(/\/graphql$/, '')}/auth/token`,
    `  media (node ${media.nodeId}):        HTTP-FLV/HLS :${media.server.httpPort}, RTMP :${media.server.config.rtmpPort}, RTSP :${media.server.config.rtspPort}`,
    `  HTTP push cameras:                  :${access.httpPushPort}`,
    `  admin access key:                   ${admin.accessKey}`,
    admin.secretKey
      ? `  admin secret key:                   ${admin.secretKey}   (shown once; keep it)`
      : `  admin secret key:                   ${config.ARGUS_ADMIN_SECRET_KEY ? 'from ARGUS_ADMIN_SECRET_KEY' : 'as printed on first start'}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  logger.info({ url }, 'argus ready');
} catch (err) {
  logger.fatal({ err }, 'argus failed to start');
  await runtime.lifecycle.stop();
  process.exit(1);
}
