/**
 * ICE beyond the defaults, with real headless Chromium playing over WHEP: a public address
 * announced instead of the interfaces' (as behind 1:1 NAT), ports from a configured range, and
 * ICE-TCP when UDP is unusable (here: the server answers only TCP connectivity checks).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, webrtcModule, type RtmpModule, type WebRtcModule } from '../src/index.js';
import { h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { installWebRtcClient, lastRtcStats, rtcState, rtcStats, whepPlay } from './support/webrtc-client.js';

const missing = chromiumMissing();
if (missing) console.warn(`webrtc-ice: SKIPPED, ${missing}`);

const CH = 'ice1';
const PATH = `live/${CH}/primary`;
// outside the kernel's ephemeral range, so no outgoing connection of another process holds one
const PORTS: [number, number] = [61100, 61199];

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let browser: LaunchedBrowser;
let udpAllowed = true;
let webrtc: WebRtcModule;
const pages: Page[] = [];

describe.skipIf(missing !== null)('ICE: public address, port range, ICE-TCP', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-ice-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    webrtc = webrtcModule({
      config: { publicIps: ['127.0.0.1'], interfaceCandidates: false, portRange: PORTS, iceTcp: true },
      filterStunResponse: (protocol) => udpAllowed || protocol === 'tcp',
    });
    await server.start([rtmp, webrtc]);
    browser = await launchChromium();
    const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
    const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs({ gop: 25 }), '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/${PATH}?key=${key}`], { timeoutMs: 180_000 });
    await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTMP publish: ${pub.stderr()}` });
  });

  afterEach(async () => {
    udpAllowed = true;
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => {})));
  });

  afterAll(async () => {
    await killAllFfmpeg();
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const whepUrl = () => `http://127.0.0.1:${server.httpPort}/${PATH}/whep?token=${PlayTokenCodec.fromConfig(runtime.config).sign({
    grantId: `g-${Math.random()}`, tenantId: 't1', channelId: CH, stream: 'primary', protocol: 'WEBRTC', exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
  })}`;

  async function play() {
    const page = await browser.context.newPage();
    pages.push(page);
    await page.goto(`http://127.0.0.1:${server.httpPort}/healthz`);
    await installWebRtcClient(page);
    expect(await whepPlay(page, whepUrl()), JSON.stringify(await rtcState(page))).toBe(true);
    const answer = (await page.evaluate('window.argusRtc.state.pc.remoteDescription.sdp')) as string;
    const s = await waitFor(async () => {
      const st = await rtcStats(page);
      return (st.inbound.video?.framesDecoded ?? 0) > 10 && st.candidatePair ? st : null;
    }, { timeoutMs: 30_000, what: () => `playback: ${lastRtcStats()}` });
    return { answer, stats: s };
  }

  it('announces only the public address, on ports of the range, and plays over UDP', async () => {
    const { answer, stats } = await play();
    const candidates = answer.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    expect(candidates.length).toBeGreaterThan(0);
    for (const c of candidates) {
      const [, , transport, , address, port] = c.split(' ');
      expect(address).toBe('127.0.0.1');
      if (transport === 'udp' || c.includes('tcptype passive')) expect(Number(port)).toBeGreaterThanOrEqual(PORTS[0]);
      if (transport === 'udp' || c.includes('tcptype passive')) expect(Number(port)).toBeLessThanOrEqual(PORTS[1]);
    }
    expect(candidates.some((c) => / tcp .* tcptype passive/.test(c))).toBe(true);
    // the pair is the announced address, or the same socket seen from the interface (the checks werift sends out)
    expect(stats.candidatePair?.remote).toMatch(/^udp (host 127\.0\.0\.1|prflx \S*):611\d\d$/);
  });

  it('falls back to ICE-TCP when UDP checks go unanswered', async () => {
    udpAllowed = false;
    // the interface's own address this time (Chromium's TCP candidates do not reach loopback)
    Object.assign(webrtc.config(), { publicIps: [], interfaceCandidates: true });
    const { stats } = await play();
    expect(stats.candidatePair?.remote).toMatch(/^tcp host /);
  });
});
