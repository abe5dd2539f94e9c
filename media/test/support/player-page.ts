/**
 * A tiny player web page for browser tests, served over its own local HTTP server (so its origin
 * differs from the media server's, as in real life): one <video muted autoplay>, and the hls.js and
 * mpegts.js browser builds read from node_modules (never from a CDN).
 *
 *   const site = await startPlayerPage();
 *   await page.goto(site.url('hls', 'http://127.0.0.1:8080/live/cam1/primary/index.m3u8?token=…'));
 *   const s = await playerSnapshot(page);      // currentTime, decoded frames, errors, …
 *   await site.close();
 *
 * Kinds: 'hls' (hls.js), 'llhls' (hls.js with lowLatencyMode), 'flv' (mpegts.js over HTTP or
 * WebSocket, by the URL's scheme), 'none' (no player: for corsProbe and the MSE checks).
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

export type PlayerKind = 'hls' | 'llhls' | 'flv' | 'none';

export interface PlayerSnapshot {
  kind: PlayerKind;
  /** e.g. "hls.js 1.7.4", "mpegts.js 1.8.2". */
  library: string;
  currentTime: number;
  /** currentTime at the first 'playing' event (null before). */
  firstPlayingTime: number | null;
  paused: boolean;
  readyState: number;
  videoWidth: number;
  videoHeight: number;
  /** getVideoPlaybackQuality(). */
  totalVideoFrames: number;
  droppedVideoFrames: number;
  /** requestVideoFrameCallback calls (frames presented to the compositor). */
  presentedFrames: number;
  /** Seconds buffered ahead of currentTime. */
  bufferedAhead: number;
  /** Fatal errors (video element, library, play()). */
  errors: string[];
  /** Media events and non-fatal library errors, in order. */
  events: string[];
  /** Player-specific counters: hls.js fragments/parts loaded, latency, …; mpegts.js statistics. */
  stats: Record<string, unknown>;
  /** MediaSource.isTypeSupported for the codecs the test streams use. */
  mse: Record<string, boolean>;
}

const require = createRequire(import.meta.url);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>argus test player</title><link rel="icon" href="data:,"></head>
<body style="margin:0;background:#000">
<video id="v" muted autoplay playsinline width="640" height="360"></video>
<script src="/lib/hls.min.js"></script>
<script src="/lib/mpegts.js"></script>
<script src="/player.js"></script>
</body></html>
`;

/** Runs in the browser (plain ES2020, no bundler). */
const PLAYER_JS = `'use strict';
(function () {
  const q = new URLSearchParams(location.search);
  const kind = q.get('kind');
  const src = q.get('src');
  const video = document.getElementById('v');
  const state = { kind, library: '', errors: [], events: [], presentedFrames: 0, firstPlayingTime: null, stats: {} };
  const event = (e) => { if (state.events.length < 500) state.events.push(Math.round(performance.now()) + ' ' + e); };
  for (const name of ['loadedmetadata', 'canplay', 'playing', 'waiting', 'stalled', 'pause', 'ended', 'seeking']) {
    video.addEventListener(name, () => {
      event(name + ' @' + video.currentTime.toFixed(3));
      if (name === 'playing' && state.firstPlayingTime === null) state.firstPlayingTime = video.currentTime;
    });
  }
  video.addEventListener('error', () => state.errors.push('video element: ' + (video.error ? video.error.code + ' ' + video.error.message : '?')));
  if ('requestVideoFrameCallback' in video) {
    const onFrame = () => { state.presentedFrames++; video.requestVideoFrameCallback(onFrame); };
    video.requestVideoFrameCallback(onFrame);
  }
  const play = () => { const p = video.play(); if (p) p.catch((e) => event('play() rejected: ' + e)); };

  if (kind === 'hls' || kind === 'llhls') {
    state.library = 'hls.js ' + Hls.version;
    if (!Hls.isSupported()) state.errors.push('hls.js: this browser has no usable MediaSource');
    else {
      const hls = new Hls({ lowLatencyMode: kind === 'llhls', debug: q.get('debug') === '1' });
      const s = state.stats;
      s.fragments = 0; s.parts = 0; s.playlistLoads = 0;
      hls.on(Hls.Events.ERROR, (_e, d) => {
        const m = 'hls.js ' + d.type + '/' + d.details + (d.response && d.response.code ? ' HTTP ' + d.response.code : '') + (d.reason ? ' ' + d.reason : '');
        if (d.fatal) state.errors.push(m); else event(m);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, play);
      hls.on(Hls.Events.LEVEL_LOADED, (_e, d) => {
        s.playlistLoads++;
        s.live = d.details.live;
        s.canBlockReload = d.details.canBlockReload;
        s.partTarget = d.details.partTarget;
        s.partsInPlaylist = d.details.partList ? d.details.partList.length : 0;
      });
      hls.on(Hls.Events.FRAG_LOADED, (_e, d) => { if (d.part) s.parts++; else s.fragments++; });
      hls.on(Hls.Events.FRAG_BUFFERED, () => { s.lowLatencyMode = hls.lowLatencyMode; s.latency = Number(hls.latency.toFixed(3)); });
      hls.loadSource(src);
      hls.attachMedia(video);
      window.hls = hls;
    }
  } else if (kind === 'flv') {
    state.library = 'mpegts.js ' + mpegts.version;
    const f = mpegts.getFeatureList();
    state.stats.features = { mseLivePlayback: f.mseLivePlayback, networkStreamIO: f.networkStreamIO, networkLoaderName: f.networkLoaderName };
    if (!f.mseLivePlayback) state.errors.push('mpegts.js: no MSE live playback in this browser');
    else {
      const player = mpegts.createPlayer({ type: 'flv', isLive: true, url: src }, { enableWorker: false, lazyLoad: false, liveBufferLatencyChasing: true });
      player.on(mpegts.Events.ERROR, (type, detail, info) => state.errors.push('mpegts.js ' + type + '/' + detail + ' ' + JSON.stringify(info)));
      player.on(mpegts.Events.STATISTICS_INFO, (info) => { state.stats.mpegts = info; });
      player.on(mpegts.Events.MEDIA_INFO, (info) => { state.stats.mediaInfo = { mimeType: info.mimeType, width: info.width, height: info.height, fps: info.fps }; });
      player.attachMediaElement(video);
      player.load();
      play();
      window.flvPlayer = player;
    }
  } else if (kind !== 'none') state.errors.push('unknown kind ' + kind);

  const mse = {};
  for (const t of ['video/mp4; codecs="avc1.42E01E"', 'video/mp4; codecs="avc1.4D401E"', 'audio/mp4; codecs="mp4a.40.2"']) {
    mse[t] = !!(window.MediaSource && MediaSource.isTypeSupported(t));
  }

  window.argusPlayer = {
    snapshot() {
      const quality = video.getVideoPlaybackQuality();
      let bufferedAhead = 0;
      for (let i = 0; i < video.buffered.length; i++) {
        if (video.buffered.start(i) <= video.currentTime + 0.1 && video.buffered.end(i) > video.currentTime) bufferedAhead = video.buffered.end(i) - video.currentTime;
      }
      return JSON.parse(JSON.stringify({
        kind: state.kind, library: state.library, currentTime: video.currentTime, firstPlayingTime: state.firstPlayingTime,
        paused: video.paused, readyState: video.readyState, videoWidth: video.videoWidth, videoHeight: video.videoHeight,
        totalVideoFrames: quality.totalVideoFrames, droppedVideoFrames: quality.droppedVideoFrames,
        presentedFrames: state.presentedFrames, bufferedAhead, errors: state.errors, events: state.events, stats: state.stats, mse,
      }));
    },
    /** A cross-origin fetch from this page: status and CORS-visible headers, or the browser's error. */
    async probe(url) {
      try {
        const r = await fetch(url, { mode: 'cors', cache: 'no-store' });
        const body = await r.text();
        return { ok: true, status: r.status, contentType: r.headers.get('content-type'), bytes: body.length, head: body.slice(0, 64) };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    },
  };
})();
`;

export interface PlayerPageServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The page that plays `src` with the given player (`debug`: hls.js logs to the console). */
  url(kind: PlayerKind, src: string, o?: { debug?: boolean }): string;
  close(): Promise<void>;
}

/** Serves the page, player.js and the two players' browser builds on 127.0.0.1 (a free port). */
export async function startPlayerPage(): Promise<PlayerPageServer> {
  const files = new Map<string, { type: string; body: string | Buffer }>([
    ['/player.html', { type: 'text/html; charset=utf-8', body: PAGE }],
    ['/player.js', { type: 'text/javascript; charset=utf-8', body: PLAYER_JS }],
    ['/lib/hls.min.js', { type: 'text/javascript; charset=utf-8', body: await readFile(require.resolve('hls.js/dist/hls.min.js')) }],
    ['/lib/mpegts.js', { type: 'text/javascript; charset=utf-8', body: await readFile(require.resolve('mpegts.js')) }],
  ]);
  const server: Server = createServer((req, res) => {
    const f = files.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'content-length': Buffer.byteLength(f.body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : f.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (kind, src, o) => `${origin}/player.html?${new URLSearchParams({ kind, src, ...(o?.debug ? { debug: '1' } : {}) })}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The page's player state (see PlayerSnapshot). */
export function playerSnapshot(page: Page): Promise<PlayerSnapshot> {
  return page.evaluate('window.argusPlayer.snapshot()') as Promise<PlayerSnapshot>;
}

export interface CorsProbe {
  ok: boolean;
  status?: number;
  contentType?: string | null;
  bytes?: number;
  head?: string;
  error?: string;
}

/** fetch()es `url` from inside the page (cross-origin when `url` is on another port or host). */
export function corsProbe(page: Page, url: string): Promise<CorsProbe> {
  return page.evaluate(`window.argusPlayer.probe(${JSON.stringify(url)})`) as Promise<CorsProbe>;
}
