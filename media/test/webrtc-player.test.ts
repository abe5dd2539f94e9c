/**
 * The media server's player page in real headless Chromium: with a PLAYER token it plays over
 * WebRTC; with WHEP blocked it falls back to LL-HLS (and, told to, plays HTTP-FLV); embedded in an
 * iframe of another origin it plays too. Opening the page uses one use of the URL, its fallbacks none.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { flvModule, hlsModule, playerModule, rtmpModule, webrtcModule, type RtmpModule } from '../src/index.js';
import { h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { startPlayerPage, type PlayerPageServer } from './support/player-page.js';

const missing = chromiumMissing();
if (missing) console.warn(`webrtc-player: SKIPPED, ${missing}`);

const CH = 'page1';
const PATH = `live/${CH}/primary`;

interface PageState { mode: string | null; state: string; tried: string[]; errors: string[]; stats: Record<string, number | null>; firstFrameMs: number | null; events: string[] }

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let browser: LaunchedBrowser;
let site: PlayerPageServer;
const pages: Page[] = [];

describe.skipIf(missing !== null)('the player page in real headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-player-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    await server.start([rtmp, flvModule(), hlsModule(), webrtcModule(), playerModule({ iceServers: [{ urls: 'stun:stun.example.net:3478' }], startTimeoutMs: 8000 })]);
    [browser, site] = await Promise.all([launchChromium(), startPlayerPage()]);
    const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
    const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs({ gop: 25 }), '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/${PATH}?key=${key}`], { timeoutMs: 240_000 });
    await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTMP publish: ${pub.stderr()}` });
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

  const origin = () => `http://127.0.0.1:${server.httpPort}`;
  const token = (protocol: PlayProtocol, maxUses = 0) =>
    PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${Math.random()}`, tenantId: 't1', channelId: CH, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 120, maxUses,
    });
  const pageUrl = (tok: string, extra = '') => `${origin()}/play/${CH}/primary?token=${tok}${extra}`;

  async function newPage() {
    const page = await browser.context.newPage();
    pages.push(page);
    return page;
  }

  const stateOf = (f: Page | Frame) => f.evaluate('JSON.parse(JSON.stringify(window.argusPlayerState || null))') as Promise<PageState | null>;
  const playing = (f: Page | Frame, mode: string) => {
    let last: PageState | null = null;
    return waitFor(async () => {
      const s = (last = await stateOf(f));
      return s && s.mode === mode && s.state === 'playing' && (s.stats.framesDecoded ?? 0) > 0 ? s : null;
    }, { timeoutMs: 40_000, what: () => `${mode} on the player page: ${JSON.stringify(last)}` });
  };

  it('plays over WebRTC, showing its state and statistics; a one-use URL opens the page once', async () => {
    const tok = token('PLAYER', 1);
    const page = await newPage();
    const r = await page.goto(pageUrl(tok));
    expect(r?.status()).toBe(200);
    const s = await playing(page, 'webrtc');
    expect(s.tried).toEqual(['webrtc']);
    expect(s.stats.width).toBe(640);
    expect(await page.textContent('#state')).toMatch(/^WEBRTC · playing · 640x360/);
    // the page used the URL's one use; its media request did not
    const again = await fetch(pageUrl(tok));
    expect(again.status).toBe(403);
    // a token for another protocol does not open the page, nor does a PLAYER token open RTSP-only things
    expect((await fetch(pageUrl(token('FLV')))).status).toBe(403);
    expect((await fetch(`${origin()}/${PATH}.flv?token=${token('PLAYER')}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('falls back to LL-HLS when WebRTC is blocked', async () => {
    const page = await newPage();
    await page.route('**/whep**', (route) => route.abort('blockedbyclient'));
    await page.goto(pageUrl(token('PLAYER', 1)));
    const s = await playing(page, 'llhls');
    expect(s.tried).toEqual(['webrtc', 'llhls']);
    expect(s.errors[0]).toMatch(/^webrtc: /);
    expect(await page.textContent('#state')).toMatch(/^LLHLS · playing/);
  });

  it('plays HTTP-FLV when asked to, and plays inside an iframe of another origin', async () => {
    const page = await newPage();
    await page.goto(`${site.origin}/player.html?kind=none&src=x`);
    await page.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.allow = 'autoplay';
      f.width = '640';
      f.height = '360';
      document.body.appendChild(f);
    }, pageUrl(token('PLAYER'), '&order=flv'));
    const frame = await waitFor(() => page.frames().find((f) => f.url().includes('/play/')), { timeoutMs: 10_000, what: 'the iframe' });
    const s = await playing(frame, 'flv');
    expect(s.tried).toEqual(['flv']);
  });

  it('refuses a missing or expired token with 401', async () => {
    expect((await fetch(`${origin()}/play/${CH}/primary`)).status).toBe(401);
    const expired = PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: 'g-old', tenantId: 't1', channelId: CH, stream: 'primary', protocol: 'PLAYER', exp: Math.floor(Date.now() / 1000) - 5, maxUses: 0,
    });
    const r = await fetch(pageUrl(expired));
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('TOKEN_EXPIRED');
  });
});
