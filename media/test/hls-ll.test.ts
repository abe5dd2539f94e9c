/**
 * LL-HLS (fMP4 parts) egress against real peers: ffprobe plays ll.m3u8; the playlist's LL tags,
 * blocking reloads (timed), preload-hinted parts and the fMP4 bytes (init, parts, segments) are checked.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, loadConfig, createLogger, InProcessBus, PlayTokenCodec, type PlayProtocol } from '@argus/platform';
import { parseBoxes, findBoxes, readFragment, parseAvcDecoderConfig } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { hlsModule } from '../src/egress/hls/index.js';
import { makeTestMedia, publishTestStream, type Feed } from './support/frame-feeder.js';

let dir: string;
let server: MediaServer;
let codec: PlayTokenCodec;
let feed: Feed;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-llhls-'));
  const runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  await server.start([hlsModule()]);
  codec = PlayTokenCodec.fromConfig(runtime.config);
  feed = publishTestStream(server.hub, 'live/cam1/primary', await makeTestMedia({ seconds: 4 }), { loop: true });
});

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  feed?.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${server.httpPort}/live/cam1/primary/`;
const token = (protocol: PlayProtocol = 'LL_HLS', maxUses = 0) =>
  codec.sign({ grantId: `g-${Math.random()}`, tenantId: 't1', channelId: 'cam1', stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 60, maxUses });
const playUrl = (t = token()) => `${base()}ll.m3u8?token=${t}`;

async function openSession(): Promise<string> {
  const res = await fetch(playUrl());
  expect(res.status).toBe(200);
  return new URL((await res.text()).split('\n').find((l) => l && !l.startsWith('#'))!, base()).href;
}

interface Part { msn: number; index: number; duration: number; uri: string; independent: boolean }
interface LlPlaylist {
  text: string;
  target: number;
  sequence: number;
  partTarget: number;
  segments: Array<{ msn: number; duration: number; uri: string }>;
  parts: Part[];
  hint: { msn: number; index: number; uri: string };
  map: string;
}
function parseLl(text: string, url: string): LlPlaylist {
  const lines = text.trim().split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  const tag = (name: string) => lines.find((l) => l.startsWith(`#${name}:`))?.slice(name.length + 2) ?? '';
  const attr = (s: string, name: string) => new RegExp(`${name}=("([^"]*)"|[^,]*)`).exec(s)?.slice(1).reverse().find((x) => x !== undefined) ?? '';
  const numbers = (uri: string) => /-(\d+)(?:\.(\d+))?\.m4s/.exec(uri)!.slice(1).map(Number);
  const abs = (u: string) => new URL(u, url).href;
  const segments: LlPlaylist['segments'] = [];
  const parts: Part[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('#EXTINF:')) segments.push({ msn: numbers(lines[i + 1]!)[0]!, duration: parseFloat(l.slice(8)), uri: abs(lines[i + 1]!) });
    if (l.startsWith('#EXT-X-PART:')) {
      const uri = attr(l, 'URI');
      const [msn, index] = numbers(uri);
      parts.push({ msn: msn!, index: index!, duration: Number(attr(l, 'DURATION')), uri: abs(uri), independent: attr(l, 'INDEPENDENT') === 'YES' });
    }
  });
  const hintUri = attr(tag('EXT-X-PRELOAD-HINT'), 'URI');
  const [hm, hi] = numbers(hintUri);
  return {
    text, segments, parts, target: Number(tag('EXT-X-TARGETDURATION')), sequence: Number(tag('EXT-X-MEDIA-SEQUENCE')),
    partTarget: Number(attr(tag('EXT-X-PART-INF'), 'PART-TARGET')), hint: { msn: hm!, index: hi!, uri: abs(hintUri) }, map: abs(attr(tag('EXT-X-MAP'), 'URI')),
  };
}
const get = async (url: string) => parseLl(await (await fetch(url)).text(), url);
const bytes = async (url: string) => {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
};

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

describe('LL-HLS', () => {
  it('ffprobe plays ll.m3u8: H.264 640x360 + AAC with increasing timestamps', async () => {
    const p = await ffprobe(playUrl(token('LL_HLS', 1)));
    const video = p.streams.find((s) => s.codec_type === 'video')!;
    const audio = p.streams.find((s) => s.codec_type === 'audio')!;
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audio).toMatchObject({ codec_name: 'aac' });
    for (const s of [video, audio]) {
      const pts = p.packets.filter((k) => k.stream_index === s.index && k.pts_time !== undefined).map((k) => Number(k.pts_time));
      expect(pts.length).toBeGreaterThan(s === video ? 40 : 60);
      for (let i = 1; i < pts.length; i++) expect(pts[i]!).toBeGreaterThan(pts[i - 1]!);
    }
  });

  it('lists LL tags: server control, part info, map, parts (independent at keyframes) and a preload hint', async () => {
    const url = await openSession();
    const p = await get(url);
    // parts of a third of a second; a player holds three of them back (~1 s behind the live edge)
    expect(p.text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.999');
    expect(p.partTarget).toBe(0.333);
    expect(p.map).toMatch(/init\.mp4\?s=/);
    expect(p.segments.length).toBeGreaterThan(0);
    for (const s of p.segments) expect(s.duration).toBeLessThanOrEqual(p.target);
    expect(p.parts.length).toBeGreaterThan(3);
    for (const part of p.parts) {
      expect(part.duration).toBeLessThanOrEqual(p.partTarget);
      if (part.index === 0) expect(part.independent).toBe(true);
    }
    const last = p.parts[p.parts.length - 1]!;
    expect([p.hint.msn, p.hint.index]).toEqual(last.msn === p.segments[p.segments.length - 1]!.msn ? [last.msn + 1, 0] : [last.msn, last.index + 1]);
  });

  it('always lists a part after the last complete segment, so a player has somewhere to go after its first segment', async () => {
    const url = await openSession();
    // requests spread over more than a segment's length catch the moment a new segment begins
    for (let i = 0; i < 14; i++) {
      const p = await get(url);
      const lastComplete = p.segments[p.segments.length - 1]!.msn;
      expect(p.parts.some((x) => x.msn > lastComplete), p.text).toBe(true);
      await new Promise((r) => setTimeout(r, 170));
    }
  });

  it('holds a blocking reload until the requested part exists', async () => {
    const url = await openSession();
    const before = await get(url);
    const want = { msn: before.hint.msn, index: before.hint.index + 1 };
    const started = Date.now();
    const after = await get(`${url}&_HLS_msn=${want.msn}&_HLS_part=${want.index}`);
    const waited = Date.now() - started;
    const has = (p: LlPlaylist) => p.parts.some((x) => x.msn > want.msn || (x.msn === want.msn && x.index >= want.index));
    // the part did not exist when asked for, and the answer has it: the request waited for it
    // (two parts of ~0.33 s of media; a busy machine may deliver them faster than real time)
    expect(has(before)).toBe(false);
    expect(has(after)).toBe(true);
    expect(waited).toBeLessThan(5000);
    // a part that exists already answers at once
    const t = Date.now();
    const now = await get(`${url}&_HLS_msn=${before.parts[0]!.msn}&_HLS_part=${before.parts[0]!.index}`);
    expect(Date.now() - t).toBeLessThan(200);
    expect(now.parts.length).toBeGreaterThan(0);
  });

  it('refuses malformed or far-ahead blocking requests with 400', async () => {
    const url = await openSession();
    const p = await get(url);
    for (const q of ['_HLS_part=1', '_HLS_msn=abc', `_HLS_msn=${p.hint.msn + 3}`, `_HLS_msn=${p.hint.msn}&_HLS_part=x`]) {
      const r = await fetch(`${url}&${q}`);
      await r.text();
      expect(r.status, q).toBe(400);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('holds a preload-hinted part until it is made, then serves it as a fragment', async () => {
    const p = await get(await openSession());
    const started = Date.now();
    const part = await bytes(p.hint.uri);
    expect(Date.now() - started).toBeLessThan(2000);
    const boxes = parseBoxes(part);
    expect(boxes.map((b) => b.type)).toEqual(['moof', 'mdat']);
    expect(readFragment(boxes[0]!).tracks.map((t) => t.trackId)).toContain(1);
  });

  it('serves a valid init segment, parts that continue each other, and segments made of their parts', async () => {
    const url = await openSession();
    const p = await get(url);
    const init = parseBoxes(await bytes(p.map));
    expect(init.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    const avc1 = findBoxes(init, 'moov/trak/mdia/minf/stbl/stsd/avc1')[0]!;
    expect([avc1.body.readUInt16BE(24), avc1.body.readUInt16BE(26)]).toEqual([640, 360]);
    expect(parseAvcDecoderConfig(findBoxes([avc1], 'avc1/avcC')[0]!.body).sps).toHaveLength(1);
    expect(findBoxes(init, 'moov/trak/mdia/minf/stbl/stsd/mp4a')).toHaveLength(1);
    expect(findBoxes(init, 'moov/mvex/trex')).toHaveLength(2);

    // the newest complete segment whose parts are all listed
    const seg = [...p.segments].reverse().find((s) => p.parts.some((x) => x.msn === s.msn && x.index === 0))!;
    const parts = p.parts.filter((x) => x.msn === seg.msn);
    const partBytes = await Promise.all(parts.map((x) => bytes(x.uri)));
    expect(Buffer.concat(partBytes).equals(await bytes(seg.uri))).toBe(true);
    const frags = partBytes.map((b) => readFragment(parseBoxes(b)[0]!));
    const video = frags.map((f) => f.tracks.find((t) => t.trackId === 1)!);
    expect(video[0]!.samples[0]!.sync).toBe(true);
    for (let i = 1; i < frags.length; i++) {
      expect(frags[i]!.sequence).toBe(frags[i - 1]!.sequence + 1);
      const prev = video[i - 1]!;
      expect(video[i]!.baseDecodeTime).toBe(prev.baseDecodeTime + prev.samples.reduce((n, s) => n + s.duration, 0));
    }
    const total = video.reduce((n, t) => n + t.samples.reduce((m, s) => m + s.duration, 0), 0) / 90000;
    expect(total).toBeCloseTo(seg.duration, 2);
    expect(video.flatMap((t) => t.samples).filter((s) => s.sync).length).toBe(Math.round(seg.duration)); // 1 s GOPs
    expect(frags.flatMap((f) => f.tracks.filter((t) => t.trackId === 2)).flatMap((t) => t.samples).length).toBeGreaterThan(seg.duration * 40);
  });

  it('keeps LL and classic sessions apart', async () => {
    const url = new URL(await openSession());
    const r1 = await fetch(`${base()}index.m3u8?s=${url.searchParams.get('s')}`);
    expect(r1.status).toBe(403);
    const r2 = await fetch(`${base()}ll.m3u8?token=${token('HLS')}`);
    expect(r2.status).toBe(403);
    await Promise.all([r1.text(), r2.text()]);
  });
});
