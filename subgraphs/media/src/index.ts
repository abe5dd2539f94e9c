import 'reflect-metadata';
import {
  ChannelDirectory, PlayTokenCodec, TalkTokenCodec, PUBLISH_KEY_PURPOSE, createSubgraphServer, entitlementsFor, openOrm, type ServiceRuntime,
} from '@argus/platform';
import { PlayGrant } from './entities/play-grant.js';
import { TalkSession } from './talk/talk-session.js';
import { TalkService } from './talk/talk-service.js';
import { mediaMigrations } from './migrations/m0001-init.js';
import { MediaService } from './media-service.js';
import { MediaNodeRegistry } from './node-registry.js';
import { SnapshotTaker } from './snapshots.js';
import { mediaEndpointsFromEnv } from './play-rules.js';
import { buildMediaSchema } from './schema.js';
import type { MediaContext } from './context.js';

export { buildMediaSchema } from './schema.js';
export { MediaNodeRegistry } from './node-registry.js';
export { MediaService, GRANT_REVOKED_SUBJECT, GRANTS_GROUPS, type GrantRevokedEvent } from './media-service.js';
export { PlayGrant, PlayProtocol, PlayStream } from './entities/play-grant.js';
export { TalkSession, TalkTransport, TalkCodec, TalkStatus } from './talk/talk-session.js';
export { TalkService, TALK_GROUP } from './talk/talk-service.js';
export {
  mediaEndpointsFromEnv, buildPlayUrl, checkLiveArgs, type MediaEndpoints,
  EXPIRES_IN_MIN, EXPIRES_IN_MAX, EXPIRES_IN_DEFAULT, USE_TIMES_MAX,
} from './play-rules.js';

/**
 * Starts the media subgraph (control plane for play URLs). Media server addresses come from
 * MEDIA_PUBLIC_URL, MEDIA_RTMP_URL and MEDIA_RTSP_URL (see play-rules.ts).
 */
export async function startMediaSubgraph(runtime: ServiceRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'media' });
  const endpoints = mediaEndpointsFromEnv(process.env);
  const orm = await openOrm(runtime.config, {
    schema: 'media',
    entities: [PlayGrant, TalkSession],
    migrations: mediaMigrations,
    logger,
  });
  runtime.lifecycle.onStop('media-db', () => orm.close());
  const directory = new ChannelDirectory(runtime.config.subgraphUrl('devices'), runtime.signer);
  await directory.watch(runtime.bus);
  const nodes = new MediaNodeRegistry();
  await nodes.watch(runtime.bus);
  const entitlements = await entitlementsFor(runtime);
  const media = new MediaService(
    orm, runtime.bus, directory, PlayTokenCodec.fromConfig(runtime.config), endpoints, logger, runtime.config.deriveKey(PUBLISH_KEY_PURPOSE), nodes,
    entitlements,
  );
  await media.start();
  const talk = new TalkService(orm, runtime.bus, directory, TalkTokenCodec.fromConfig(runtime.config), endpoints, nodes, entitlements, logger);
  await talk.start();
  const snapshots = new SnapshotTaker(directory, nodes, endpoints, runtime.signer, runtime.config, logger);
  const server = await createSubgraphServer<MediaContext>({
    name: 'media',
    schema: await buildMediaSchema(),
    logger,
    signer: runtime.signer,
    createContext: (base) => ({ ...base, media, nodes, channels: directory, snapshots, talk }),
  });
  const port = await server.listen(runtime.config.portOf('media'), runtime.config.ARGUS_HOST);
  runtime.lifecycle.onStop('media-http', () => server.close());
  logger.info({ port, endpoints }, 'media subgraph listening');
  return { port, close: () => server.close() };
}
