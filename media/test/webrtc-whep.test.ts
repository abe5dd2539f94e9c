/**
 * WHEP playback in real headless Chromium: ffmpeg publishes H.264 + AAC over RTMP (and H.264 +
 * A-law over RTSP); Chromium's own RTCPeerConnection posts its offer to the WHEP URL and must
 * decode video frames (framesDecoded rising) and receive audio (Opus transcoded from AAC; PCMA
 * passed through). Refusals: bad SDP → 400 with a reason, expired token → 401; a browser that
 * vanishes without DELETE is cleaned up after the ICE timeout; PATCH/DELETE on the session URL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, rtspModule, webrtcModule, type RtmpModule, type RtspModule, type WebRtcModule } from '../src/index.js';
import { h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { installWebRtcClient, rtcClose, rtcState, rtcStats, lastRtcStats, whepPlay } from './support/webrtc-client.js';

const missing = chromiumMissing();
if (missing) console.warn(`webrtc-whep: SKIPPED, ${missing}`);

const CH = 'rtc1';
const PATH = `live/${CH}/primary`;
const G711_CH = 'rtc711';
const G711_PATH = `live/${G711_CH}/primary`;
const ICE_TIMEOUT_MS = 3000;

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let rtsp: RtspModule;
let webrtc: WebRtcModule;
let browser: LaunchedBrowser;
const pages: Page[] = [];

describe.skipIf(missing !== null)('WHEP playback in real headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-whep-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    rtsp = rtspModule();
    webrtc = webrtcModule({ config: { iceTimeoutMs: ICE_TIMEOUT_MS, iceServers: [{ urls: 'stun:stun.example.net:3478' }, { urls: 'turn:turn.example.net:3478', username: 'u', credential: 'p' }] } });
    await server.start([rtmp, rtsp, webrtc]);
    browser = await launchChromium();
    const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
    const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs({ gop: 50 }), '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/${PATH}?key=${key}`], { timeoutMs: 240_000 });
    const key711 = publishKeyFor(runtime.config.deriveKey('publish-keys'), G711_PATH);
    const pub711 = spawnFfmpeg([
      ...testSourceArgs({ sampleRate: 8000 }), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
      '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${rtsp.port}/${G711_PATH}?key=${key711}`,
    ], { timeoutMs: 240_000 });
    await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTMP publish: ${pub.stderr()}` });
    await waitFor(() => server.hub.get(G711_PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTSP publish: ${pub711.stderr()}` });
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => {})));
  });

  afterAll(async () => {
    await killAllFfmpeg();
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const origin = () => `http://127.0.0.1:${server.httpPort}`;
  const token = (channelId = CH, expInSeconds = 120) =>
    PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${Math.random()}`, tenantId: 't1', channelId, stream: 'primary', protocol: 'WEBRTC',
      exp: Math.floor(Date.now() / 1000) + expInSeconds, maxUses: 0,
    });
  const whepUrl = (channelId = CH, tok = token(channelId)) => `${origin()}/live/${channelId}/primary/whep?token=${tok}`;

  async function newPage() {
    const page = await browser.context.newPage();
    pages.push(page);
    await page.goto(`${origin()}/healthz`);
    await installWebRtcClient(page);
    return page;
  }

  it('plays H.264 with AAC transcoded to Opus: frames decoded keep rising, audio packets arrive', async () => {
    const page = await newPage();
    expect(await whepPlay(page, whepUrl()), JSON.stringify(await rtcState(page))).toBe(true);
    const first = await waitFor(async () => {
      const s = await rtcStats(page);
      return (s.inbound.video?.framesDecoded ?? 0) > 10 && (s.inbound.audio?.packetsReceived ?? 0) > 10 ? s : null;
    }, { timeoutMs: 20_000, what: () => `decoded frames and audio: ${lastRtcStats()}` });
    expect(first.inbound.video?.codec).toBe('video/H264');
    expect(first.inbound.audio?.codec).toBe('audio/opus');
    expect(first.inbound.video?.frameWidth).toBe(640);
    const later = await waitFor(async () => {
      const s = await rtcStats(page);
      return (s.inbound.video?.framesDecoded ?? 0) > first.inbound.video!.framesDecoded! + 25 &&
        (s.inbound.audio?.packetsReceived ?? 0) > first.inbound.audio!.packetsReceived! + 25 ? s : null;
    }, { timeoutMs: 20_000, what: 'frames and audio packets to keep coming' });
    expect(later.inbound.audio?.totalSamplesReceived ?? 0).toBeGreaterThan(0);
    // the viewer is a reader of the stream, and the answer named the ICE servers
    expect(server.hub.get(PATH)!.stats().readersByProtocol.WEBRTC).toBeGreaterThanOrEqual(1);
    const state = await rtcState(page);
    expect(state.links).toContain('<stun:stun.example.net:3478>; rel="ice-server"');
    expect(state.links).toContain('username="u"; credential="p"');
    // DELETE ends the session on the server
    const sessionsBefore = webrtc.sessions().count('whep');
    await rtcClose(page);
    await waitFor(() => webrtc.sessions().count('whep') === sessionsBefore - 1, { timeoutMs: 5000, what: 'DELETE to end the session' });
  });

  it('passes G.711 (PCMA) through to the browser', async () => {
    const page = await newPage();
    expect(await whepPlay(page, whepUrl(G711_CH)), JSON.stringify(await rtcState(page))).toBe(true);
    const s = await waitFor(async () => {
      const st = await rtcStats(page);
      return (st.inbound.video?.framesDecoded ?? 0) > 10 && (st.inbound.audio?.packetsReceived ?? 0) > 20 ? st : null;
    }, { timeoutMs: 20_000, what: () => `PCMA audio: ${lastRtcStats()}` });
    expect(s.inbound.audio?.codec).toBe('audio/PCMA');
  });

  it('refuses a bad offer with 400 and a reason, and an expired token with 401', async () => {
    const post = (body: string, url = whepUrl(), type = 'application/sdp') =>
      fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
    let r = await post('hello');
    expect(r.status).toBe(400);
    let body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('BAD_OFFER');
    expect(body.error.message).toMatch(/not valid SDP|no audio or video/);
    r = await post('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=rtpmap:96 H264/90000\r\n');
    expect(r.status).toBe(400);
    body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toMatch(/ice-ufrag/);
    r = await post('v=0', whepUrl(), 'text/plain');
    expect(r.status).toBe(415);
    // a well-formed offer from a real browser, with an expired token
    const page = await newPage();
    expect(await whepPlay(page, whepUrl(CH, token(CH, -5)))).toBe(false);
    const state = await rtcState(page);
    expect(state.status).toBe(401);
    expect(state.error).toContain('TOKEN_EXPIRED');
  });

  it('cleans up a browser that vanished without DELETE after the ICE timeout', async () => {
    // a second Chromium, killed outright: no DELETE, no DTLS close, no RTCP BYE, just silence
    const doomed = await launchChromium();
    try {
      const page = await doomed.context.newPage();
      await page.goto(`${origin()}/healthz`);
      await installWebRtcClient(page);
      expect(await whepPlay(page, whepUrl())).toBe(true);
      await waitFor(async () => ((await rtcStats(page)).inbound.video?.framesDecoded ?? 0) > 5, { timeoutMs: 20_000, what: 'playback' });
      const id = (await rtcState(page)).resource!.split('/').pop()!;
      expect(webrtc.sessions().find(id, 'whep', PATH)).toBeDefined();
      const readers = server.hub.get(PATH)!.readerCount;
      execFileSync('pkill', ['-KILL', '-f', doomed.profile]);
      await waitFor(() => !webrtc.sessions().find(id, 'whep', PATH), { timeoutMs: ICE_TIMEOUT_MS * 4 + 10_000, what: 'the silent session to be closed' });
      expect(server.hub.get(PATH)!.readerCount).toBeLessThan(readers);
    } finally {
      await doomed.close();
    }
  });

  it('answers PATCH with 204 for a trickled candidate, and 404 once the session is gone', async () => {
    const page = await newPage();
    expect(await whepPlay(page, whepUrl())).toBe(true);
    const { resource } = await rtcState(page);
    const offer = (await page.evaluate('window.argusRtc.state.pc.localDescription.sdp')) as string;
    const ufrag = /a=ice-ufrag:(\S+)/.exec(offer)![1];
    const frag = `a=ice-ufrag:${ufrag}\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 192.0.2.77 50000 typ host\r\n`;
    const patch = () => fetch(resource!, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: frag });
    expect((await patch()).status).toBe(204);
    expect((await fetch(resource!, { method: 'DELETE' })).status).toBe(200);
    expect((await patch()).status).toBe(404);
  });
});
