import 'reflect-metadata';
import { SUBGRAPH_NAMES, type SubgraphName } from '@argus/platform';
import { openIdentity } from '@argus/subgraph-identity';
import { startGateway } from '@argus/gateway';
import { startAccess } from '@argus/access';
import { startMediaNode } from '@argus/media';
import { mediaModules } from './media-modules.js';
import { boot } from './boot.js';
import { SUBGRAPHS } from './services.js';

/**
 * Scale mode: one service per process. `node launcher/dist/service.js <gateway|identity|devices|media|events|billing|access|media-server>`.
 * Typically with DATABASE_URL (PostgreSQL), BUS_URL (NATS JetStream) and REDIS_URL set.
 */
const name = process.argv[2] ?? process.env.ARGUS_SERVICE;
const valid = ['gateway', 'access', 'media-server', ...SUBGRAPH_NAMES];
if (!name || !valid.includes(name)) {
  process.stderr.write(`usage: service.js <${valid.join('|')}>\n`);
  process.exit(2);
}
const runtime = await boot(name);
try {
  if (name === 'gateway') {
    const identity = await openIdentity(runtime);
    await startGateway(runtime, identity);
    const admin = await identity.bootstrapAdmin();
    if (admin.secretKey) process.stdout.write(`admin access key: ${admin.accessKey}\nadmin secret key: ${admin.secretKey} (shown once)\n`);
  } else if (name === 'access') {
    await startAccess(runtime);
  } else if (name === 'media-server') {
    await startMediaNode(runtime, mediaModules(runtime));
  } else {
    await SUBGRAPHS[name as SubgraphName].start(runtime);
  }
  process.stdout.write(`argus ${name} ready\n`);
} catch (err) {
  runtime.logger.fatal({ err }, `${name} failed to start`);
  await runtime.lifecycle.stop();
  process.exit(1);
}
