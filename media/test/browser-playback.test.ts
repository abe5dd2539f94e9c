/**
 * Browser playback with a real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
 * ffmpeg publishes H.264 (Main profile with CABAC, yuv420p, GOP 25) + AAC-LC over RTMP; a player page served from
 * another origin plays the play URLs with hls.js (HLS, LL-HLS in lowLatencyMode) and mpegts.js
 * (HTTP-FLV, WS-FLV). Each must decode frames and move currentTime on; CORS must let the page in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request, Response } from 'playwright-core';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor,
  type PlayProtocol, type ServiceRuntime,
} from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { flvModule, hlsModule, rtmpModule, type RtmpModule } from '../src/index.js';
import { h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor, type PeerProcess } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { corsProbe, playerSnapshot, startPlayerPage, type PlayerKind, type PlayerPageServer, type PlayerSnapshot } from './support/player-page.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser-playback: SKIPPED, ${missing}`);

const CH = 'web1';
const PATH = `live/${CH}/primary`;

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let site: PlayerPageServer;
let browser: LaunchedBrowser;
let publisher: PeerProcess | undefined;
const pages: Page[] = [];

async function ensurePublishing() {
  if (publisher && publisher.child.exitCode === null && server.hub.get(PATH)?.ready) return;
  await publisher?.kill();
  const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
  const pub = spawnFfmpeg(
    [...testSourceArgs(), ...h264AacArgs({ gop: 25 }), '-profile:v', 'main', '-x264-params', 'cabac=1', '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/${PATH}?key=${key}`],
    { timeoutMs: 180_000 },
  );
  publisher = pub;
  await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 10_000, what: () => `the RTMP publish: ${pub.stderr()}` });
}

describe.skipIf(missing !== null)('browser playback in real headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-browser-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    await server.start([rtmp, flvModule(), hlsModule()]);
    [site, browser] = await Promise.all([startPlayerPage(), launchChromium()]);
    await ensurePublishing();
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

  const mediaOrigin = () => `http://127.0.0.1:${server.httpPort}`;

  function token(protocol: PlayProtocol): string {
    return PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${protocol}-${Math.random()}`, tenantId: 't1', channelId: CH, stream: 'primary', protocol,
      exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
    });
  }

  const playUrl = {
    HLS: () => `${mediaOrigin()}/${PATH}/index.m3u8?token=${token('HLS')}`,
    LL_HLS: () => `${mediaOrigin()}/${PATH}/ll.m3u8?token=${token('LL_HLS')}`,
    FLV: () => `${mediaOrigin()}/${PATH}.flv?token=${token('FLV')}`,
    WS_FLV: () => `${mediaOrigin().replace('http', 'ws')}/${PATH}.flv?token=${token('WS_FLV')}`,
  };

  /** One response the page got from the media server; `fromCache`: Chromium's HTTP cache answered it (no request went out). */
  interface Exchange { url: string; origin?: string; status: number; allowOrigin?: string | null; fromCache: boolean }

  /** Opens the player page on `src`; records the page's requests to the media server. */
  async function openPlayer(kind: PlayerKind, src: string) {
    const page = await browser.context.newPage();
    pages.push(page);
    const exchanges: Exchange[] = [];
    const pending: Array<Promise<void>> = [];
    page.on('response', (r: Response) => {
      const req: Request = r.request();
      if (!r.url().startsWith(mediaOrigin())) return;
      pending.push(
        (async () => {
          // allHeaders() are the raw headers Chromium sent (with Host) for a request that went out,
          // and only the provisional ones (no Host) when its HTTP cache answered
          const sent = await req.allHeaders().catch((): Record<string, string> => ({}));
          const origin = sent['origin'];
          const fromCache = !('host' in sent);
          const allowOrigin = await r.headerValue('access-control-allow-origin').catch(() => null);
          exchanges.push({ url: r.url(), origin, status: r.status(), allowOrigin, fromCache });
        })(),
      );
    });
    const wsFrames = { received: 0 };
    page.on('websocket', (ws) => ws.on('framereceived', () => wsFrames.received++));
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // ARGUS_PLAYER_DEBUG=1: hls.js debug logging, and the page's console on stdout
    const debug = process.env.ARGUS_PLAYER_DEBUG === '1';
    if (debug) page.on('console', (m) => console.log(`page: ${m.text().slice(0, 300)}`));
    await page.goto(site.url(kind, src, { debug }));
    return { page, exchanges: async () => (await Promise.all(pending), exchanges), wsFrames, pageErrors };
  }

  /** Polls the page until `ok(snapshot)`; fails at once on a fatal player error. */
  async function until(page: Page, what: string, ok: (s: PlayerSnapshot) => boolean, timeoutMs = 15_000): Promise<PlayerSnapshot> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await playerSnapshot(page);
      if (s.errors.length) throw new Error(`player failed while waiting for ${what}: ${JSON.stringify(s, null, 1)}`);
      if (ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s, null, 1)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * What a viewer sees: playback starts, currentTime passes 2 s of playing, and across two later
   * samples both currentTime and the decoded frame count (and rVFC's presented frames) go on rising.
   */
  async function expectPlays(page: Page, label: string) {
    const started = Date.now();
    const a = await until(page, `${label}: 2 s of playback`, (s) =>
      s.firstPlayingTime !== null && !s.paused && s.currentTime > 2 && s.currentTime - s.firstPlayingTime > 2 && s.totalVideoFrames > 0);
    const b = await until(page, `${label}: more decoded frames`, (s) => s.currentTime >= a.currentTime + 1 && s.totalVideoFrames >= a.totalVideoFrames + 15, 8000);
    const elapsed = Date.now() - started;
    expect(b.videoWidth).toBe(640);
    expect(b.videoHeight).toBe(360);
    expect(b.readyState).toBeGreaterThanOrEqual(2);
    // ~25 fps: at least half of the frames of the media time that passed were decoded
    expect(b.totalVideoFrames - a.totalVideoFrames).toBeGreaterThanOrEqual(12.5 * (b.currentTime - a.currentTime));
    expect(b.presentedFrames).toBeGreaterThan(a.presentedFrames);
    console.info(
      `${label}: ${b.library}; ${elapsed} ms to reach t=${b.currentTime.toFixed(2)} s (started at ${b.firstPlayingTime?.toFixed(2)}); ` +
        `decoded ${a.totalVideoFrames}→${b.totalVideoFrames} (dropped ${b.droppedVideoFrames}), rVFC ${a.presentedFrames}→${b.presentedFrames}, ` +
        `buffered ${b.bufferedAhead.toFixed(2)} s; stats ${JSON.stringify(b.stats).slice(0, 400)}`,
    );
    return { a, b };
  }

  /** Every request the page sent to the media server was cross-origin (Origin sent), and every response allowed it (CORS). */
  function expectCors(exchanges: Exchange[]) {
    expect(exchanges.filter((x) => !x.fromCache).length).toBeGreaterThan(0);
    for (const x of exchanges) {
      if (!x.fromCache) expect(x.origin, x.url).toBe(site.origin);
      expect(x.allowOrigin === '*' || x.allowOrigin === site.origin, `${x.url}: access-control-allow-origin ${x.allowOrigin}`).toBe(true);
    }
  }

  it('Chromium can decode the stream codecs (H.264 main/baseline, AAC-LC) through MSE', async () => {
    const { page } = await openPlayer('none', '');
    const s = await playerSnapshot(page);
    console.info(`Chromium ${browser.version}; MSE ${JSON.stringify(s.mse)}`);
    expect(Object.values(s.mse).every(Boolean), JSON.stringify(s.mse)).toBe(true);
  });

  it('lets a page of another origin fetch play URLs, including refusals (CORS)', async () => {
    const { page } = await openPlayer('none', '');
    expect(new URL(page.url()).origin).not.toBe(mediaOrigin());
    const playlist = await corsProbe(page, playUrl.HLS());
    expect(playlist).toMatchObject({ ok: true, status: 200, contentType: 'application/vnd.apple.mpegurl' });
    expect(playlist.head).toMatch(/^#EXTM3U/);
    // a refusal is readable by the page too, so a player can tell "token expired" from "network down"
    const refused = await corsProbe(page, `${mediaOrigin()}/${PATH}.flv`);
    expect(refused).toMatchObject({ ok: true, status: 401, contentType: 'application/json' });
  });

  it('hls.js plays HLS (index.m3u8, MPEG-TS segments)', async () => {
    await ensurePublishing();
    const { page, exchanges, pageErrors } = await openPlayer('hls', playUrl.HLS());
    await expectPlays(page, 'HLS');
    const xs = await exchanges();
    expectCors(xs);
    expect(xs.some((x) => /\/hls-[a-z0-9]+-\d+\.ts\?s=/.test(x.url) && x.status === 200)).toBe(true);
    expect(xs.every((x) => x.status === 200), JSON.stringify(xs.filter((x) => x.status !== 200))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('hls.js in lowLatencyMode plays LL-HLS (ll.m3u8: blocking reloads, fMP4 parts)', async () => {
    await ensurePublishing();
    const { page, exchanges, pageErrors } = await openPlayer('llhls', playUrl.LL_HLS());
    const { b } = await expectPlays(page, 'LL-HLS');
    expect(b.stats).toMatchObject({ live: true, canBlockReload: true, lowLatencyMode: true });
    expect(b.stats.partsInPlaylist).toBeGreaterThan(0);
    const xs = await exchanges();
    expectCors(xs);
    expect(xs.some((x) => /\/ll-[a-z0-9]+-init\.mp4\?s=/.test(x.url))).toBe(true);
    // hls.js asks for the next part with a blocking playlist reload, and loads parts (not only segments)
    expect(xs.some((x) => /ll\.m3u8\?s=[^&]+&_HLS_msn=\d+&_HLS_part=\d+/.test(x.url)), xs.map((x) => x.url).join('\n')).toBe(true);
    expect(xs.some((x) => /\/ll-[a-z0-9]+-\d+\.\d+\.m4s\?s=/.test(x.url) && x.status === 200)).toBe(true);
    expect(b.stats.parts).toBeGreaterThan(0);
    // each part is loaded once: the first playlist always lists a part after the segment the
    // player starts with, so hls.js does not load that segment's parts again while it waits
    const loads = new Map<string, number>();
    for (const x of xs) if (x.url.includes('.m4s')) loads.set(x.url, (loads.get(x.url) ?? 0) + 1);
    expect([...loads.values()].every((n) => n === 1), JSON.stringify([...loads])).toBe(true);
    console.info(`LL-HLS: ${loads.size} parts/segments loaded, ${xs.filter((x) => x.fromCache).length} answered by the browser cache`);
    expect(xs.every((x) => x.status === 200), JSON.stringify(xs.filter((x) => x.status !== 200))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('mpegts.js plays HTTP-FLV (isLive)', async () => {
    await ensurePublishing();
    const { page, exchanges, pageErrors } = await openPlayer('flv', playUrl.FLV());
    const { b } = await expectPlays(page, 'HTTP-FLV');
    expect(b.stats.mediaInfo).toMatchObject({ width: 640, height: 360, mimeType: expect.stringContaining('avc1.4d') });
    const xs = await exchanges();
    expectCors(xs);
    expect(xs.filter((x) => x.url.includes('.flv?token='))).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  it('mpegts.js plays WS-FLV (isLive)', async () => {
    await ensurePublishing();
    const { page, wsFrames, pageErrors } = await openPlayer('flv', playUrl.WS_FLV());
    const { b } = await expectPlays(page, 'WS-FLV');
    expect(b.stats.mediaInfo).toMatchObject({ width: 640, height: 360 });
    expect(wsFrames.received).toBeGreaterThan(50);
    expect(pageErrors).toEqual([]);
  });
});
