/**
 * Talk over WebRTC through the media node's talk route (POST /talk/webrtc?token=…) with headless
 * Chromium and its fake microphone: the offer is answered, the microphone (Opus) is converted to
 * what the device plays (PCMU 8 kHz, a device in memory) and the device's 440 Hz comes back to the
 * browser as Opus; DELETE on the session resource hangs up; used and wrong-transport URLs are
 * refused, and a malformed offer costs no use of the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, TalkTokenCodec, TALK_SUBJECTS, buildTalkUrl,
  type ServiceRuntime, type TalkCodecName, type TalkEndedEvent, type TalkTransport,
} from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { talkModule, rms, type DeviceTalkConnector } from '../src/talk/index.js';
import { waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { installWebRtcClient, rtcStats, lastRtcStats } from './support/webrtc-client.js';
import { startPlayerPage, type PlayerPageServer } from './support/player-page.js';
import { MemoryDevice } from './support/talk-peers.js';

const missing = chromiumMissing();
if (missing) console.warn(`talk-webrtc: SKIPPED, ${missing}`);

const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let browser: LaunchedBrowser;
let site: PlayerPageServer;
const devices = new Map<string, MemoryDevice>();
const ended: TalkEndedEvent[] = [];
const connector: DeviceTalkConnector = {
  async open(req) {
    const d = new MemoryDevice(req.channelId);
    devices.set(req.sessionId, d);
    return d;
  },
};

describe.skipIf(missing !== null)('talk over WebRTC (Chromium) through /talk/webrtc', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-talk-rtc-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    await server.start([talkModule({ connector })]);
    await runtime.bus.subscribe<TalkEndedEvent>(TALK_SUBJECTS.ended, (e) => void ended.push(e.data));
    [browser, site] = await Promise.all([launchChromium({ args: FAKE_MEDIA }), startPlayerPage()]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function issue(channelId: string, transport: TalkTransport, codec: TalkCodecName = 'OPUS') {
    const claims = {
      sessionId: `tlk_${randomBytes(6).toString('hex')}`, tenantId: 't1', channelId, transport, codec, sampleRate: codec === 'OPUS' ? 48000 : 8000,
      exp: Math.floor(Date.now() / 1000) + 120, iat: Date.now(),
    };
    const base = `http://127.0.0.1:${server.httpPort}`;
    return { claims, url: buildTalkUrl({ http: base, ws: base.replace('http', 'ws'), rtsp: 'rtsp://127.0.0.1:1' }, claims, TalkTokenCodec.fromConfig(runtime.config).sign(claims)) };
  }

  async function talkerOffer(page: Page): Promise<string> {
    await page.goto(`${site.origin}/player.html?kind=none&src=x`);
    await installWebRtcClient(page);
    return (await page.evaluate(async () => {
      const w = window as unknown as { argusRtc: { state: { pc: RTCPeerConnection | null } } };
      const pc = (w.argusRtc.state.pc = new RTCPeerConnection());
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTransceiver(mic.getAudioTracks()[0]!, { direction: 'sendrecv' });
      pc.ontrack = (e) => {
        const a = document.createElement('audio');
        a.srcObject = new MediaStream([e.track]);
        a.autoplay = true;
        document.body.appendChild(a);
      };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => {
        if (pc.iceGatheringState === 'complete') return r();
        const t = setTimeout(r, 2000);
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(t), r());
      });
      return pc.localDescription!.sdp;
    })) as string;
  }

  const post = (url: string, body: string, type = 'application/sdp') => fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

  it('carries the microphone to the device (Opus → PCMU) and the device back to the browser (PCMU → Opus); DELETE hangs up', async () => {
    const page = await browser.context.newPage();
    try {
      const { claims, url } = issue('ch-rtc', 'WEBRTC', 'OPUS');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/talk\/webrtc\?token=tt1\./);
      const offer = await talkerOffer(page);
      expect((await post(url, 'not sdp at all')).status).toBe(400); // a bad offer costs no use
      const res = await post(url, offer);
      expect(res.status).toBe(201);
      const location = res.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^/talk/webrtc/${claims.sessionId}/[A-Za-z0-9_-]+$`));
      const answer = await res.text();
      await page.evaluate((sdp) => (window as unknown as { argusRtc: { state: { pc: RTCPeerConnection } } }).argusRtc.state.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      const device = await waitFor(() => devices.get(claims.sessionId), { what: 'the device leg' });
      await waitFor(() => device.heardSamples.length > 8000, { timeoutMs: 30_000, what: () => `the device to hear the microphone (${device.heardSamples.length} samples)` });
      expect(rms(device.heardSamples)).toBeGreaterThan(10); // the fake microphone beeps
      const first = await waitFor(async () => {
        const s = await rtcStats(page);
        return (s.inbound.audio?.packetsReceived ?? 0) > 25 ? s : null;
      }, { timeoutMs: 30_000, what: () => `device audio in the browser: ${lastRtcStats()}` });
      expect(first.inbound.audio?.codec).toBe('audio/opus');
      expect((await post(url, offer)).status).toBe(403); // used
      const del = await fetch(`http://127.0.0.1:${server.httpPort}${location}`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      await waitFor(() => ended.find((e) => e.sessionId === claims.sessionId), { what: 'talk.ended' });
      expect(device.closed).not.toBeNull();
      expect(ended.find((e) => e.sessionId === claims.sessionId)!.bytesUp).toBeGreaterThan(1000);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('refuses a URL of another transport (403) and a missing token (401)', async () => {
    const { url } = issue('ch-rtc-2', 'WEBSOCKET', 'PCMU');
    const token = new URL(url.replace(/^ws/, 'http')).searchParams.get('token');
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 ' + Array(32).fill('AA').join(':') + '\r\na=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n';
    const base = `http://127.0.0.1:${server.httpPort}/talk/webrtc`;
    expect((await post(`${base}?token=${token}`, offer)).status).toBe(403);
    expect((await post(base, offer)).status).toBe(401);
  });
});
