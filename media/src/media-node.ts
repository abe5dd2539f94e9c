import { hostname } from 'node:os';
import { entitlementsFor, mediaEndpointsFromEnv, randomSecret, type ServiceRuntime } from '@argus/platform';
import { MediaServer, type MediaModule, type SourcePuller } from './media-server.js';
import { startNodeHeartbeat } from './node-heartbeat.js';
import { startRtspPull } from './ingest/rtsp-pull/index.js';
import type { MediaConfig } from './media-config.js';

export interface MediaNodeHandle {
  server: MediaServer;
  nodeId: string;
  close(): Promise<void>;
}

/**
 * Starts a media node: the media server with its protocol modules, and its heartbeat to the
 * control plane. MEDIA_NODE_ID names it (default: host name plus a random suffix).
 */
export async function startMediaNode(
  runtime: ServiceRuntime,
  modules: MediaModule[],
  options: { config?: MediaConfig; puller?: SourcePuller } = {},
): Promise<MediaNodeHandle> {
  const { config, puller } = options;
  const nodeId = process.env.MEDIA_NODE_ID || `${hostname()}-${randomSecret(4)}`;
  const server = new MediaServer(runtime, config, nodeId);
  server.ctx.authorizer.useEntitlements(await entitlementsFor(runtime));
  // on-demand sources (media.source.resolved) are pulled over RTSP unless told otherwise
  server.setSourcePuller(
    puller ?? ((src) => startRtspPull({ ...src, hub: server.hub, logger: runtime.logger.child({ service: 'rtsp-pull', path: src.path }) })),
  );
  await server.start(modules);
  const heartbeat = startNodeHeartbeat({ bus: runtime.bus, hub: server.hub, nodeId, endpoints: mediaEndpointsFromEnv(process.env) });
  const close = async () => {
    heartbeat.stop();
    await server.close();
  };
  runtime.lifecycle.onStop('media-node', close);
  return { server, nodeId, close };
}
