import { hostname } from 'node:os';
import { mediaEndpointsFromEnv, randomSecret, type ServiceRuntime } from '@argus/platform';
import { MediaServer, type MediaModule } from './media-server.js';
import { startNodeHeartbeat } from './node-heartbeat.js';
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
export async function startMediaNode(runtime: ServiceRuntime, modules: MediaModule[], config?: MediaConfig): Promise<MediaNodeHandle> {
  const server = new MediaServer(runtime, config);
  await server.start(modules);
  const nodeId = process.env.MEDIA_NODE_ID || `${hostname()}-${randomSecret(4)}`;
  const heartbeat = startNodeHeartbeat({ bus: runtime.bus, hub: server.hub, nodeId, endpoints: mediaEndpointsFromEnv(process.env) });
  const close = async () => {
    heartbeat.stop();
    await server.close();
  };
  runtime.lifecycle.onStop('media-node', close);
  return { server, nodeId, close };
}
