import type { ServiceRuntime } from '@argus/platform';
import { startStreamSources } from './stream-sources.js';
import { startHttpPush } from './drivers/http-push/index.js';
import { startTalkTargets } from './talk/index.js';

export * from './channel-source.js';
export * from './stream-sources.js';
export { rtspDeviceSource } from './drivers/rtsp/rtsp-source.js';
export { isapiStreamSource } from './drivers/isapi/isapi-stream-source.js';
export { startHttpPush, type HttpPushOptions, type HttpPushServer } from './drivers/http-push/index.js';
export * from './talk/index.js';
export { createOutbox, SqliteOutbox, JetStreamOutbox, type Outbox, type OutboxEvent } from './outbox/index.js';

/** Starts the access plane's parts that run as a service: on-demand stream sources, talk targets and the HTTP push server. */
export async function startAccess(runtime: ServiceRuntime): Promise<{ close(): Promise<void>; httpPushPort: number }> {
  const sources = await startStreamSources(runtime);
  const talk = await startTalkTargets(runtime);
  let push;
  try {
    push = await startHttpPush(runtime);
  } catch (err) {
    await talk.close();
    await sources.close();
    throw err;
  }
  const close = async () => {
    await push.close();
    await talk.close();
    await sources.close();
  };
  runtime.lifecycle.onStop('access', close);
  return { close, httpPushPort: push.port };
}
