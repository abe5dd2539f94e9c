/**
 * What the G.711 → AAC transcoder is for: a browser playing a camera's H.264 + G.711 stream over
 * HLS. ffmpeg publishes H.264 + A-law over RTSP; hls.js in real headless Chromium plays HLS and
 * LL-HLS, decoding both video frames and (8 kHz AAC) audio.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { hlsModule, rtspModule, type RtspModule } from '../src/index.js';
import { killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { playerSnapshot, startPlayerPage, type PlayerPageServer, type PlayerSnapshot } from './support/player-page.js';

const missing = chromiumMissing();
if (missing) console.warn(`transcode-browser: SKIPPED, ${missing}`);

const CH = 'g711web';
const PATH = `live/${CH}/primary`;

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtsp: RtspModule;
let site: PlayerPageServer;
let browser: LaunchedBrowser;
const pages: Page[] = [];

describe.skipIf(missing !== null)('a G.711 camera in the browser over HLS', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-transcode-browser-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtsp = rtspModule();
    await server.start([rtsp, hlsModule()]);
    [site, browser] = await Promise.all([startPlayerPage(), launchChromium()]);
    const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
    const pub = spawnFfmpeg([
      ...testSourceArgs({ sampleRate: 8000 }), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
      '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${rtsp.port}/${PATH}?key=${key}`,
    ], { timeoutMs: 120_000 });
    await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTSP publish: ${pub.stderr()}` });
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => {})));
  });

  afterAll(async () => {
    await killAllFfmpeg();
    await browser?.close();
    await site?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const playUrl = (protocol: PlayProtocol, playlist: string) =>
    `http://127.0.0.1:${server.httpPort}/${PATH}/${playlist}?token=${PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${Math.random()}`, tenantId: 't1', channelId: CH, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
    })}`;

  async function until(page: Page, what: string, ok: (s: PlayerSnapshot, audioBytes: number) => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await playerSnapshot(page);
      // Chromium counts the audio bytes it decoded (0 when the audio track was not played)
      const audioBytes = (await page.evaluate('document.getElementById("v").webkitAudioDecodedByteCount ?? -1')) as number;
      if (s.errors.length) throw new Error(`player failed while waiting for ${what}: ${JSON.stringify(s, null, 1)}`);
      if (ok(s, audioBytes)) return { s, audioBytes };
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: audio bytes ${audioBytes}, ${JSON.stringify(s, null, 1)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it.each([['hls', 'HLS', 'index.m3u8'], ['llhls', 'LL_HLS', 'll.m3u8']] as const)('hls.js (%s) plays video and decodes the AAC audio', async (kind, protocol, playlist) => {
    const page = await browser.context.newPage();
    pages.push(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(site.url(kind, playUrl(protocol, playlist)));
    const a = await until(page, `${protocol}: 2 s of playback with audio`, (s, audio) =>
      s.firstPlayingTime !== null && !s.paused && s.currentTime - s.firstPlayingTime > 2 && s.totalVideoFrames > 0 && audio > 0);
    const b = await until(page, `${protocol}: more video and audio`, (s, audio) =>
      s.currentTime >= a.s.currentTime + 1 && s.totalVideoFrames >= a.s.totalVideoFrames + 15 && audio > a.audioBytes, 10_000);
    expect(b.s.videoWidth).toBe(640);
    expect(pageErrors).toEqual([]);
  });
});
