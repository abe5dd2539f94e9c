/**
 * WHIP publishing from real headless Chromium: its fake camera and microphone
 * (--use-fake-device-for-media-stream) are published with the browser's own RTCPeerConnection to
 * the WHIP URL; ffprobe then reads the stream back over RTMP and HTTP-FLV (H.264, the Opus as AAC), and Chromium
 * plays it back over WHEP. A wrong publish key gets 401; a second publisher of the same path 409.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { flvModule, rtmpModule, webrtcModule, type RtmpModule, type WebRtcModule } from '../src/index.js';
import { audioStream, ffprobe, framesOf, isIncreasing, killAllFfmpeg, videoStream, waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { installWebRtcClient, rtcState, rtcStats, lastRtcStats, whepPlay, whipPublish } from './support/webrtc-client.js';

const missing = chromiumMissing();
if (missing) console.warn(`webrtc-whip: SKIPPED, ${missing}`);

const CH = 'whip1';
const PATH = `live/${CH}/primary`;

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let webrtc: WebRtcModule;
let browser: LaunchedBrowser;

describe.skipIf(missing !== null)('WHIP publishing from real headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-whip-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    webrtc = webrtcModule({ config: { iceTimeoutMs: 5000 }, keyframeIntervalMs: 1000 });
    await server.start([rtmp, flvModule(), webrtc]);
    browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  });

  afterAll(async () => {
    await killAllFfmpeg();
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const origin = () => `http://127.0.0.1:${server.httpPort}`;
  const key = () => publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
  const token = (protocol: PlayProtocol) =>
    PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${Math.random()}`, tenantId: 't1', channelId: CH, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
    });

  async function newPage() {
    const page = await browser.context.newPage();
    await page.goto(`${origin()}/healthz`);
    await installWebRtcClient(page);
    return page;
  }

  it('takes the fake camera into the hub; ffprobe reads H.264 over RTMP and HTTP-FLV; WHEP plays it back', async () => {
    const publisher = await newPage();
    expect(await whipPublish(publisher, `${origin()}/${PATH}/whip?key=${key()}`), JSON.stringify(await rtcState(publisher))).toBe(true);
    const stream = await waitFor(() => server.hub.get(PATH)?.ready && server.hub.get(PATH), {
      timeoutMs: 20_000, what: () => `the WHIP stream: ${lastRtcStats()}`,
    });
    expect(stream.publisher.protocol).toBe('WEBRTC');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'OPUS', sampleRate: 48000 });

    for (const url of [`rtmp://127.0.0.1:${rtmp.port}/${PATH}?token=${token('RTMP')}`, `${origin()}/${PATH}.flv?token=${token('FLV')}`]) {
      const probe = await ffprobe(url, { readSeconds: 3, timeoutMs: 30_000 });
      expect(videoStream(probe), `${url}: ${probe.stderr}`).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      expect(framesOf(probe, 'video').length, probe.stderr).toBeGreaterThan(10);
      // the browser's Opus reaches FLV and RTMP as AAC (FLV cannot carry Opus), in step with the video
      expect(audioStream(probe), `${url}: ${probe.stderr}`).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
      const audio = framesOf(probe, 'audio').map((f) => Number(f.pts_time ?? f.pkt_dts_time));
      const video = framesOf(probe, 'video').map((f) => Number(f.pts_time ?? f.pkt_dts_time));
      expect(audio.length, probe.stderr).toBeGreaterThan(50);
      expect(isIncreasing(audio)).toBe(true);
      expect(Math.abs(audio[0]! - video[0]!), `first audio ${audio[0]} s, first video ${video[0]} s`).toBeLessThan(1);
    }

    // and back out over WebRTC, with the browser's Opus passed through
    const viewer = await newPage();
    expect(await whepPlay(viewer, `${origin()}/${PATH}/whep?token=${token('WEBRTC')}`)).toBe(true);
    const s = await waitFor(async () => {
      const st = await rtcStats(viewer);
      return (st.inbound.video?.framesDecoded ?? 0) > 10 && (st.inbound.audio?.packetsReceived ?? 0) > 10 ? st : null;
    }, { timeoutMs: 20_000, what: () => `WHEP of the WHIP stream: ${lastRtcStats()}` });
    expect(s.inbound.audio?.codec).toBe('audio/opus');
    await viewer.close();

    // a second publisher of the same path is refused
    const second = await newPage();
    expect(await whipPublish(second, `${origin()}/${PATH}/whip?key=${key()}`)).toBe(false);
    expect((await rtcState(second)).status).toBe(409);
    await second.close();

    // DELETE ends the publish and the stream
    const { resource } = await rtcState(publisher);
    expect((await fetch(resource!, { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => !server.hub.get(PATH), { timeoutMs: 5000, what: 'the stream to end' });
    await publisher.close();
  });

  it('refuses a wrong publish key with 401 before reading the offer', async () => {
    const r = await fetch(`${origin()}/${PATH}/whip?key=nope`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('PUBLISH_KEY');
    expect(server.hub.get(PATH)).toBeUndefined();
  });
});
