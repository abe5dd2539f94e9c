/**
 * The Argus media server alone in its own process, for bench/webrtc: RTMP ingest and the WebRTC
 * module, plus a probe stream (live/probe/primary) whose video frames carry the wall-clock time
 * they entered the hub, so a viewer on the same host reads the relay delay from each frame.
 * Env: ARGUS_MASTER_KEY, ARGUS_DATA_DIR, BENCH_RTMP_PORT, BENCH_HTTP_PORT, BENCH_ICE_TIMEOUT_MS.
 * Reports { ready, httpPort, rtmpPort } over IPC; answers { stats } requests with the WebRTC session count.
 */
import { createLogger, createRuntime, InProcessBus, loadConfig } from '@argus/platform';
import { MediaServer, rtmpModule, webrtcModule } from '@argus/media';

export const PROBE_PATH = 'live/probe/primary';

const runtime = createRuntime(loadConfig(process.env), createLogger('bench-webrtc', 'error'), new InProcessBus());
const server = new MediaServer(runtime, {
  host: '127.0.0.1',
  httpPort: Number(process.env.BENCH_HTTP_PORT ?? 0),
  rtmpPort: Number(process.env.BENCH_RTMP_PORT ?? 0),
  rtspPort: 0,
  onDemandTimeoutMs: 3000,
  idleSeconds: 600,
});
const rtmp = rtmpModule();
const webrtc = webrtcModule({ config: { iceTimeoutMs: Number(process.env.BENCH_ICE_TIMEOUT_MS ?? 10_000), maxSessions: 100_000 } });
await server.start([rtmp, webrtc]);

// the probe: 25 fps of tiny "frames" (an SPS/PPS pair and slices whose bytes are the push time)
const probe = server.hub.publish(PROBE_PATH, { protocol: 'INTERNAL' });
const sps = Buffer.from('674d401fe8802802dd80b501010140000003004000000c83c60c4480', 'hex');
const pps = Buffer.from('68ebef20', 'hex');
probe.setTracks({ video: { kind: 'video', codec: 'H264', parameterSets: [sps, pps], width: 640, height: 360 } });
let n = 0;
const t0 = Date.now();
const tick = setInterval(() => {
  const now = Date.now();
  const body = Buffer.alloc(16);
  body.writeDoubleBE(now, 0);
  body.writeUInt32BE(n, 8);
  const key = n % 50 === 0;
  const unit = Buffer.concat([Buffer.from([key ? 0x65 : 0x41]), Buffer.from('ARGUSPROBE'), body]);
  probe.push({ kind: 'video', dts: now - t0, pts: now - t0, keyframe: key, units: [unit] });
  n++;
}, 40);

process.send?.({ ready: true, httpPort: server.httpPort, rtmpPort: rtmp.port });
process.on('message', (m: { stats?: boolean }) => {
  if (m.stats) process.send?.({ stats: { sessions: webrtc.sessions().count('whep') } });
});

const stop = async () => {
  clearInterval(tick);
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
