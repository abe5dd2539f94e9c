/**
 * An Argus media node alone in its own process, for bench/talk: the in-process bus, the RTSP
 * server and the talk module, whose device legs are opened with the access plane's real ISAPI
 * two-way audio driver towards the bench's simulated device (channel "bench-<n>" is the device's
 * two-way audio channel n). Env: ARGUS_MASTER_KEY (the parent signs talk tokens with it),
 * ARGUS_DATA_DIR, BENCH_TALK_DEVICE_URL. Reports { ready, rtspPort, httpPort } over IPC; exits on
 * SIGTERM or when the parent goes.
 */
import { createLogger, createRuntime, InProcessBus, loadConfig } from '@argus/platform';
import { MediaServer, rtspModule, talkModule, DeviceTalkUnavailable, type DeviceTalkConnector } from '@argus/media';
import { isapiTwoWayAudioDriver } from '@argus/access';

const runtime = createRuntime(loadConfig(process.env), createLogger('bench-talk', 'error'), new InProcessBus());
const deviceUrl = process.env.BENCH_TALK_DEVICE_URL!;
const logger = runtime.logger;
const connector: DeviceTalkConnector = {
  open(req) {
    const m = /^bench-(\d+)$/.exec(req.channelId);
    if (!m) throw new DeviceTalkUnavailable(`no bench device for ${req.channelId}`);
    return isapiTwoWayAudioDriver.open({ driver: 'ISAPI', url: deviceUrl, channel: Number(m[1]), username: null, password: null }, req, { logger });
  },
};
const server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 30 });
const rtsp = rtspModule();
await server.start([rtsp, talkModule({ connector })]);
process.send?.({ ready: true, rtspPort: rtsp.port, httpPort: server.httpPort });

const stop = async () => {
  await server.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
