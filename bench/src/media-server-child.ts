/**
 * The Argus media server alone in its own process, for bench/media: a runtime with the
 * in-process bus (as the media tests build it) and MediaServer with RTMP, FLV, HLS and RTSP.
 * Env: ARGUS_MASTER_KEY (the parent signs play tokens and publish keys with it), ARGUS_DATA_DIR,
 * BENCH_MEDIA_HTTP_PORT, BENCH_MEDIA_RTMP_PORT. Reports { ready, httpPort, rtmpPort, rtspPort } over IPC;
 * answers { memory: true } with its process.memoryUsage() before and after a full collection (when started
 * with --expose-gc); exits on SIGTERM or when the parent goes.
 */
import { createLogger, createRuntime, InProcessBus, loadConfig } from '@argus/platform';
import { MediaServer, flvModule, hlsModule, rtmpModule, rtspModule } from '@argus/media';

const runtime = createRuntime(loadConfig(process.env), createLogger('bench-media', 'error'), new InProcessBus());
const server = new MediaServer(runtime, {
  host: '127.0.0.1',
  httpPort: Number(process.env.BENCH_MEDIA_HTTP_PORT ?? 0),
  rtmpPort: Number(process.env.BENCH_MEDIA_RTMP_PORT ?? 0),
  rtspPort: 0,
  onDemandTimeoutMs: 3000,
  idleSeconds: 30,
});
const rtmp = rtmpModule();
const rtsp = rtspModule();
await server.start([rtmp, flvModule(), hlsModule(), rtsp]);
process.send?.({ ready: true, httpPort: server.httpPort, rtmpPort: rtmp.port, rtspPort: rtsp.port });
process.on('message', (m: { memory?: boolean }) => {
  if (!m.memory) return;
  // as the process runs, then after a full collection (started with --expose-gc): what is really held
  const before = process.memoryUsage();
  (globalThis as { gc?: () => void }).gc?.();
  const readers = server.hub.list().reduce((n, st) => n + st.readerCount, 0);
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  process.send?.({ memory: before, afterGc: process.memoryUsage(), readers, handles });
});

const stop = async () => {
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
