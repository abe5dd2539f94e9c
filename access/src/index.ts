import type { ServiceRuntime } from '@argus/platform';
import { startStreamSources } from './stream-sources.js';

export * from './channel-source.js';
export * from './stream-sources.js';
export { rtspDeviceSource } from './drivers/rtsp/rtsp-source.js';
export { isapiStreamSource } from './drivers/isapi/isapi-stream-source.js';

/** Starts the access plane's parts that run as a service. */
export async function startAccess(runtime: ServiceRuntime): Promise<{ close(): Promise<void> }> {
  const sources = await startStreamSources(runtime);
  runtime.lifecycle.onStop('access', () => sources.close());
  return sources;
}
