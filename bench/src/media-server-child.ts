/**
 * The Argus media server alone in its own process, for bench/media: a runtime with the
 * in-process bus (as the media tests build it) and MediaServer with RTMP, FLV and HLS.
 * Env: ARGUS_MASTER_KEY (the parent signs play tokens and publish keys with it), ARGUS_DATA_DIR,
 * BENCH_MEDIA_HTTP_PORT, BENCH_MEDIA_RTMP_PORT. Reports { ready, httpPort, rtmpPort } over IPC;
 * exits on SIGTERM or when the parent goes.
 */
import { createLogger, createRuntime, InProcessBus, loadConfig } from '@argus/platform';
import { MediaServer, flvModule, hlsModule, rtmpModule } from '@argus/media';

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
await server.start([rtmp, flvModule(), hlsModule()]);
process.send?.({ ready: true, httpPort: server.httpPort, rtmpPort: rtmp.port });

const stop = async () => {
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
