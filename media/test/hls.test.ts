/**
 * HLS (MPEG-TS) egress against real peers: ffprobe plays the play URL; playlists, segments, headers
 * and token/session rules are checked over HTTP. Frames come from the ffmpeg test-pattern feeder.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, loadConfig, createLogger, InProcessBus, PlayTokenCodec, type PlayProtocol } from '@argus/platform';
import { demuxTs, splitAnnexB, splitAdts, TS_PIDS } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { hlsModule, type HlsModule } from '../src/egress/hls/index.js';
import { makeTestMedia, publishTestStream, type Feed } from './support/frame-feeder.js';

let dir: string;
let server: MediaServer;
let hls: HlsModule;
let codec: PlayTokenCodec;
let runtime: ReturnType<typeof createRuntime>;
const feeds: Feed[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-hls-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  hls = hlsModule({ idleStopMs: 3000 });
  await server.start([hls]);
  codec = PlayTokenCodec.fromConfig(runtime.config);
  // cam1 runs at twice real time, so the window slides within the test
  feeds.push(publishTestStream(server.hub, 'live/cam1/primary', await makeTestMedia({ seconds: 4 }), { loop: true, speed: 2 }));
});

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  for (const f of feeds) f.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const base = (ch = 'cam1') => `http://127.0.0.1:${server.httpPort}/live/${ch}/primary/`;
function token(o: { channelId?: string; protocol?: PlayProtocol; maxUses?: number; exp?: number; grantId?: string } = {}) {
  return codec.sign({
    grantId: o.grantId ?? `g-${Math.random()}`, tenantId: 't1', channelId: o.channelId ?? 'cam1', stream: 'primary',
    protocol: o.protocol ?? 'HLS', exp: o.exp ?? Math.floor(Date.now() / 1000) + 60, maxUses: o.maxUses ?? 0,
  });
}
const playUrl = (t: string, ch = 'cam1') => `${base(ch)}index.m3u8?token=${t}`;

/** Opens a session with a token; returns the media playlist URL. */
async function openSession(ch = 'cam1'): Promise<string> {
  const res = await fetch(playUrl(token({ channelId: ch }), ch));
  expect(res.status).toBe(200);
  const uri = (await res.text()).split('\n').find((l) => l && !l.startsWith('#'))!;
  return new URL(uri, base(ch)).href;
}

interface Playlist { target: number; sequence: number; segments: Array<{ duration: number; uri: string }> }
function parsePlaylist(text: string, url: string): Playlist {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  const tag = (name: string) => lines.find((l) => l.startsWith(`#${name}:`))?.slice(name.length + 2);
  const segments: Playlist['segments'] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('#EXTINF:')) segments.push({ duration: parseFloat(l.slice(8)), uri: new URL(lines[i + 1]!, url).href });
  });
  return { target: Number(tag('EXT-X-TARGETDURATION')), sequence: Number(tag('EXT-X-MEDIA-SEQUENCE')), segments };
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Probe { streams: Array<{ index: number; codec_name: string; codec_type: string; width?: number; height?: number }>; packets: Array<{ stream_index: number; pts_time?: string }> }
function ffprobe(url: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-of', 'json', '-show_entries', 'stream=index,codec_name,codec_type,width,height:packet=stream_index,pts_time', '-read_intervals', '%+4', url];
    const child = spawn('ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) return reject(new Error(`ffprobe exited ${code}: ${err}`));
      resolve(JSON.parse(out) as Probe);
    });
  });
}

/** What a user checks: H.264 640x360 + AAC, and timestamps that increase. */
export function expectPlayable(p: Probe) {
  const video = p.streams.find((s) => s.codec_type === 'video')!;
  const audio = p.streams.find((s) => s.codec_type === 'audio')!;
  expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
  expect(audio).toMatchObject({ codec_name: 'aac' });
  for (const s of [video, audio]) {
    const pts = p.packets.filter((k) => k.stream_index === s.index && k.pts_time !== undefined).map((k) => Number(k.pts_time));
    expect(pts.length).toBeGreaterThan(s === video ? 40 : 60);
    for (let i = 1; i < pts.length; i++) expect(pts[i]!).toBeGreaterThan(pts[i - 1]!);
  }
}

describe('HLS playback', () => {
  it('ffprobe plays index.m3u8 opened with a single-use token, which then cannot open another session', async () => {
    const t = token({ maxUses: 1 });
    expectPlayable(await ffprobe(playUrl(t)));
    const again = await fetch(playUrl(t));
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('TOKEN_USED');
  });

  it('serves a media playlist whose target duration covers every segment, in a window of 6 that slides', async () => {
    const url = await openSession();
    const first = parsePlaylist(await (await fetch(url)).text(), url);
    const later = await until('the window to slide', async () => {
      const p = parsePlaylist(await (await fetch(url)).text(), url);
      return p.sequence > first.sequence && p.segments.length === 6 ? p : undefined;
    }, 20_000);
    for (const p of [first, later]) {
      expect(p.segments.length).toBeGreaterThan(0);
      expect(p.segments.length).toBeLessThanOrEqual(6);
      for (const s of p.segments) {
        expect(s.duration).toBeLessThanOrEqual(p.target);
        expect(s.duration).toBeGreaterThan(1.5);
        expect(new URL(s.uri).searchParams.get('s')).toBeTruthy();
      }
      expect(p.segments[0]!.uri).toMatch(new RegExp(`-${p.sequence}\\.ts\\?`));
    }
    expect(later.target).toBe(2);
  });

  it('writes TS segments that demux: PAT/PMT, H.264 with AUD and SPS/PPS at the keyframe, ADTS audio, continuous timestamps', async () => {
    const url = await openSession();
    const p = parsePlaylist(await (await fetch(url)).text(), url);
    const [a, b] = await Promise.all(p.segments.slice(-2).map(async (s) => Buffer.from(await (await fetch(s.uri)).arrayBuffer())));
    for (const [bytes, seg] of [[a!, p.segments[p.segments.length - 2]!], [b!, p.segments[p.segments.length - 1]!]] as const) {
      const d = demuxTs(bytes);
      expect(d.streams).toEqual([{ streamType: 0x1b, pid: TS_PIDS.VIDEO }, { streamType: 0x0f, pid: TS_PIDS.AUDIO }]);
      expect(d.pcrPid).toBe(TS_PIDS.VIDEO);
      expect(d.pcrs.length).toBeGreaterThan(0);
      expect(d.continuityErrors).toBe(0);
      const video = d.pes.filter((x) => x.pid === TS_PIDS.VIDEO);
      expect(video.length).toBe(Math.round(seg.duration * 25));
      expect(video[0]!.randomAccess).toBe(true);
      const keyTypes = splitAnnexB(video[0]!.data).map((u) => u[0]! & 0x1f);
      expect(keyTypes.slice(0, 3)).toEqual([9, 7, 8]);
      expect(keyTypes).toContain(5);
      expect(splitAnnexB(video[1]!.data)[0]![0]! & 0x1f).toBe(9);
      for (let i = 1; i < video.length; i++) expect(video[i]!.pts! - video[i - 1]!.pts!).toBe(3600);
      const audio = d.pes.filter((x) => x.pid === TS_PIDS.AUDIO);
      expect(audio.flatMap((x) => splitAdts(x.data)).length).toBeGreaterThan(seg.duration * 40);
    }
    const lastA = demuxTs(a!).pes.filter((x) => x.pid === TS_PIDS.VIDEO).pop()!;
    const firstB = demuxTs(b!).pes.find((x) => x.pid === TS_PIDS.VIDEO)!;
    expect(firstB.pts! - lastA.pts!).toBe(3600);
  });

  it('sends no-cache playlists, cacheable segments, and CORS on everything', async () => {
    const master = await fetch(playUrl(token()));
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('cache-control')).toBe('no-cache');
    const url = new URL((await master.text()).split('\n')[3]!, base()).href;
    const media = await fetch(url);
    const p = parsePlaylist(await media.text(), url);
    const seg = await fetch(p.segments[0]!.uri);
    await seg.arrayBuffer();
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const refused = await fetch(playUrl('nope'));
    await refused.text();
    for (const r of [master, media, seg, refused]) expect(r.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('HLS tokens and sessions', () => {
  const status = async (url: string) => {
    const r = await fetch(url);
    const body = await r.text();
    return [r.status, r.status >= 400 ? (JSON.parse(body) as { error: { code: string } }).error.code : 'ok'];
  };

  it('refuses a missing, bad or expired token with 401', async () => {
    expect(await status(`${base()}index.m3u8`)).toEqual([401, 'TOKEN_MISSING']);
    expect(await status(playUrl(token().slice(0, -3) + 'AAA'))).toEqual([401, 'TOKEN_INVALID']);
    expect(await status(playUrl(token({ exp: Math.floor(Date.now() / 1000) - 5 })))).toEqual([401, 'TOKEN_EXPIRED']);
  });

  it("refuses another stream's or another protocol's token with 403", async () => {
    expect(await status(playUrl(token({ channelId: 'cam2' })))).toEqual([403, 'TOKEN_SCOPE']);
    expect(await status(playUrl(token({ protocol: 'LL_HLS' })))).toEqual([403, 'TOKEN_SCOPE']);
  });

  it('refuses unknown sessions, and sessions of another stream or flavour, with 403', async () => {
    const url = new URL(await openSession());
    const sid = url.searchParams.get('s')!;
    const seg = parsePlaylist(await (await fetch(url)).text(), url.href).segments[0]!.uri;
    expect(await status(`${base()}index.m3u8?s=nonsense`)).toEqual([403, 'SESSION_UNKNOWN']);
    expect(await status(seg.replace(sid, 'nonsense'))).toEqual([403, 'SESSION_UNKNOWN']);
    expect(await status(seg.replace(/\?.*$/, ''))).toEqual([403, 'SESSION_UNKNOWN']);
    expect(await status(`${base('cam2')}index.m3u8?s=${sid}`)).toEqual([403, 'SESSION_UNKNOWN']);
    expect(await status(`${base()}ll.m3u8?s=${sid}`)).toEqual([403, 'SESSION_UNKNOWN']);
    expect(await status(seg)).toEqual([200, 'ok']);
  });

  it('ends the sessions of a revoked grant on their next playlist reload', async () => {
    const res = await fetch(playUrl(token({ grantId: 'g-revoked' })));
    const url = new URL((await res.text()).split('\n')[3]!, base()).href;
    expect(await status(url)).toEqual([200, 'ok']);
    await runtime.bus.publish('media.grant.revoked', { grantId: 'g-revoked' });
    await until('the revocation to apply', async () => ((await status(url))[0] === 401 ? true : undefined), 3000);
    expect(await status(url)).toEqual([403, 'SESSION_UNKNOWN']);
  });

  it('answers 404 for a stream nobody publishes (after the on-demand wait)', async () => {
    expect(await status(playUrl(token({ channelId: 'nobody' }), 'nobody'))).toEqual([404, 'STREAM_NOT_FOUND']);
  });
});

describe('HLS segmenter lifecycle', () => {
  it('holds the first playlist request until the first segment, and stops the segmenter after the last request', async () => {
    const feed = publishTestStream(server.hub, 'live/cam3/primary', await makeTestMedia({ seconds: 4 }), { loop: true });
    feeds.push(feed);
    const started = Date.now();
    const url = await openSession('cam3');
    expect(Date.now() - started).toBeGreaterThan(1500); // a 2 s segment in real time
    const p = parsePlaylist(await (await fetch(url)).text(), url);
    expect(p.segments.length).toBeGreaterThanOrEqual(1);
    expect(hls.activeSegmenters()).toContain('HLS live/cam3/primary');
    expect(feed.stream.readerCount).toBe(1);
    await until('the idle segmenter to stop', () => (hls.activeSegmenters().includes('HLS live/cam3/primary') ? undefined : true), 8000);
    expect(feed.stream.readerCount).toBe(0);
    // the session outlives the segmenter: its next reload starts a new one, numbering on
    const again = parsePlaylist(await (await fetch(url)).text(), url);
    expect(again.sequence).toBeGreaterThanOrEqual(p.sequence + p.segments.length);
    expect(hls.activeSegmenters()).toContain('HLS live/cam3/primary');
  });
});
