/**
 * G.711 → AAC for containers that cannot carry G.711 (HLS): the decode tables against ffmpeg's,
 * ADTS splitting of an encoder's output, the per-stream transcoder's timestamps and lifecycle, and
 * an ffmpeg RTSP publish of H.264 + A-law played over HLS and LL-HLS as H.264 + AAC.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol, type ServiceRuntime,
} from '@argus/platform';
import { buildAacConfig, buildAdtsHeader, splitAdts } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { rtspModule, type RtspModule } from '../src/egress/rtsp/index.js';
import { hlsModule } from '../src/egress/hls/index.js';
import { Stream, type MediaFrame, type Tracks } from '../src/hub/index.js';
import { AdtsSplitter, AacTranscoder, decodeG711, withAacAudio } from '../src/transcode/index.js';
import { makeTestMedia } from './support/frame-feeder.js';
import {
  FFMPEG, audioStream, ffprobe, framesOf, isIncreasing, killAllFfmpeg, spawnFfmpeg, testSourceArgs, videoStream, waitFor,
} from './support/ffmpeg.js';

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtsp: RtspModule;
const logger = createLogger('t', 'warn');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-transcode-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), logger, new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  rtsp = rtspModule();
  await server.start([rtsp, hlsModule({ idleStopMs: 3000 })]);
});

afterEach(() => killAllFfmpeg());

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function ffmpegOut(args: string[], input?: Buffer): Buffer {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...args], { input, maxBuffer: 64 << 20, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr?.toString()}`);
  return r.stdout;
}

describe('G.711 decoding', () => {
  it.each([['PCMA', 'alaw'], ['PCMU', 'mulaw']] as const)('decodes every %s byte as ffmpeg does', (codec, format) => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const expected = ffmpegOut(['-f', format, '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 's16le', 'pipe:1'], all);
    expect(decodeG711(codec, all)).toEqual(expected);
  });
});

describe('AdtsSplitter', () => {
  it('splits ADTS arriving in any chunks, and resynchronises after garbage', () => {
    const cfg = { objectType: 2, sampleRate: 8000, channelConfig: 1, channels: 1 };
    const frames = [10, 200, 1, 77].map((n, i) => Buffer.alloc(n, i + 1));
    const adts = Buffer.concat(frames.flatMap((f) => [buildAdtsHeader(cfg, f.length), f]));
    for (const size of [1, 3, 7, 50, adts.length]) {
      const s = new AdtsSplitter();
      const out = [];
      for (let o = 0; o < adts.length; o += size) out.push(...s.push(adts.subarray(o, o + size)));
      expect(out.map((f) => f.data)).toEqual(frames);
      expect(out[0]).toMatchObject({ objectType: 2, sampleRate: 8000, channelConfig: 1 });
    }
    const s = new AdtsSplitter();
    const out = s.push(Buffer.concat([Buffer.from([0xff, 0x00, 0x12, 0xff]), adts]));
    expect(out.map((f) => f.data)).toEqual(frames);
    expect(s.skipped).toBe(4);
  });
});

/** 4 s of H.264 640x360 (25 fps) and a 440 Hz tone as A-law in 20 ms frames, from `t0` (ms). */
async function h264Alaw(t0: number, skipAudio: (ms: number) => boolean = () => false): Promise<{ tracks: Tracks; frames: MediaFrame[] }> {
  const media = await makeTestMedia({ seconds: 4, noAudio: true });
  const alaw = ffmpegOut(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '4', '-f', 'alaw', '-ar', '8000', '-ac', '1', 'pipe:1']);
  const frames: MediaFrame[] = media.frames.map((f) => ({ ...f, dts: f.dts + t0, pts: f.pts + t0 }));
  for (let i = 0; i * 160 < alaw.length; i++) {
    if (skipAudio(i * 20)) continue;
    frames.push({ kind: 'audio', dts: t0 + i * 20, pts: t0 + i * 20, keyframe: true, units: [alaw.subarray(i * 160, (i + 1) * 160)] });
  }
  frames.sort((a, b) => a.dts - b.dts || (a.kind === 'video' ? -1 : 1));
  return { tracks: { video: media.tracks.video!, audio: { kind: 'audio', codec: 'PCMA', sampleRate: 8000, channels: 1 } }, frames };
}

/** Runs a transcoder over the frames; returns what its derived stream carried. */
async function transcode(media: { tracks: Tracks; frames: MediaFrame[] }, until: (audio: MediaFrame[]) => boolean) {
  const source = new Stream('live/t/primary', { protocol: 'INTERNAL' });
  source.setTracks(media.tracks);
  const t = new AacTranscoder(source, { logger });
  const reader = t.output.addReader('HLS', 'test');
  const got: MediaFrame[] = [];
  const done = (async () => {
    for await (const f of reader) got.push(f);
  })();
  for (const f of media.frames) source.push(f);
  await waitFor(() => until(got.filter((f) => f.kind === 'audio')), { timeoutMs: 10_000, what: () => `AAC frames from the transcoder (${got.filter((f) => f.kind === 'audio').length} so far)` });
  await waitFor(() => got.filter((f) => f.kind === 'video').length === media.frames.filter((f) => f.kind === 'video').length, { timeoutMs: 5000, what: 'all video' });
  source.close();
  await done;
  expect(t.stopped).toBe(true);
  expect(t.output.closed).toBe(true);
  return { output: t.output, got, audio: got.filter((f) => f.kind === 'audio'), video: got.filter((f) => f.kind === 'video') };
}

describe('AacTranscoder', () => {
  it('turns A-law into AAC frames whose timestamps continue the source clock, and passes the video through', async () => {
    const media = await h264Alaw(50_000);
    const { output, audio, video, got } = await transcode(media, (a) => a.length >= 28);
    expect(output.tracks.audio).toEqual({ kind: 'audio', codec: 'AAC', sampleRate: 8000, channels: 1, config: buildAacConfig(2, 8000, 1) });
    expect(output.tracks.video).toBe(media.tracks.video);
    // frame i covers samples from (i − 1)·1024: the encoder's priming frame sits just before the first sample
    audio.forEach((f, i) => expect(f.dts).toBeCloseTo(50_000 + (i - 1) * 128, 6));
    expect(video.map((f) => f.dts)).toEqual(media.frames.filter((f) => f.kind === 'video').map((f) => f.dts));
    // held back until the audio caught up: the derived stream is in dts order (within one AAC frame)
    let newest = -Infinity;
    for (const f of got) {
      expect(f.dts).toBeGreaterThan(newest - 128 - 1);
      newest = Math.max(newest, f.dts);
    }
    // what came out is AAC ffprobe reads as 8 kHz mono, about as long as the input
    const file = join(dir, 'out.aac');
    const cfg = { objectType: 2, sampleRate: 8000, channelConfig: 1, channels: 1 };
    await writeFile(file, Buffer.concat(audio.flatMap((f) => [buildAdtsHeader(cfg, f.units[0]!.length), f.units[0]!])));
    const probe = await ffprobe(file, { timeoutMs: 10_000 });
    expect(audioStream(probe)).toMatchObject({ codec_name: 'aac', sample_rate: '8000', channels: 1 });
    expect(splitAdts(Buffer.concat(audio.flatMap((f) => [buildAdtsHeader(cfg, f.units[0]!.length), f.units[0]!]))).length).toBe(audio.length);
  });

  it('fills short audio gaps with silence and follows a long jump of the source clock', async () => {
    // 0.5 s missing at 1 s: the AAC timeline runs on without a break
    const gap = await transcode(await h264Alaw(0, (ms) => ms >= 1000 && ms < 1500), (a) => a.length >= 28);
    gap.audio.forEach((f, i) => expect(f.dts).toBeCloseTo((i - 1) * 128, 6));
    // audio frames from 2 s on arrive 5 s late on the clock: the output jumps with them
    const media = await h264Alaw(0);
    for (const f of media.frames) if (f.kind === 'audio' && f.dts >= 2000) (f.dts += 5000), (f.pts += 5000);
    const { audio } = await transcode(media, (a) => a.some((f) => f.dts > 6500));
    expect(isIncreasing(audio.map((f) => f.dts))).toBe(true);
    const jump = audio.findIndex((f, i) => i > 0 && f.dts - audio[i - 1]!.dts > 1000);
    expect(jump).toBeGreaterThan(10);
    expect(audio[jump]!.dts - audio[jump - 1]!.dts).toBeGreaterThan(4900);
    expect(audio[jump]!.dts - audio[jump - 1]!.dts).toBeLessThan(5200);
  });

  it('is shared per stream, leaves other streams alone, and stops when nobody reads it', async () => {
    const aac = new Stream('live/aac/primary', { protocol: 'INTERNAL' });
    aac.setTracks({ audio: { kind: 'audio', codec: 'AAC', sampleRate: 44100, channels: 2 } });
    expect(withAacAudio({ logger }, aac)).toBe(aac);
    const source = new Stream('live/g/primary', { protocol: 'INTERNAL' });
    source.setTracks({ audio: { kind: 'audio', codec: 'PCMU', sampleRate: 8000, channels: 1 } });
    const a = withAacAudio({ logger }, source);
    expect(a).not.toBe(source);
    expect(withAacAudio({ logger }, source)).toBe(a);
    expect(source.readerCount).toBe(1);
    const reader = a.addReader('LL_HLS');
    reader.close();
    const quick = new AacTranscoder(source, { logger, lingerMs: 100 });
    await waitFor(() => quick.stopped, { timeoutMs: 3000, what: 'an unread transcoder to stop' });
    source.close();
    await waitFor(() => a.closed && source.readerCount === 0, { timeoutMs: 3000, what: 'the transcoder to end with its source' });
  });
});

describe('HLS of an H.264 + G.711 publish', () => {
  const key = (ch: string) => publishKeyFor(runtime.config.deriveKey('publish-keys'), `live/${ch}/primary`);
  const token = (ch: string, protocol: PlayProtocol) =>
    PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${Math.random()}`, tenantId: 't1', channelId: ch, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 60, maxUses: 0,
    });

  it('plays as H.264 + AAC over HLS and LL-HLS, with rising timestamps', async () => {
    const ch = 'alaw';
    const pub = spawnFfmpeg([
      ...testSourceArgs({ sampleRate: 8000 }), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
      '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', `rtsp://127.0.0.1:${rtsp.port}/live/${ch}/primary?key=${key(ch)}`,
    ]);
    const stream = await waitFor(() => server.hub.get(`live/${ch}/primary`)?.ready && server.hub.get(`live/${ch}/primary`), {
      timeoutMs: 15_000, what: () => `ffmpeg publishing H.264 + A-law: ${pub.stderr()}`,
    });
    expect(stream.tracks.audio).toMatchObject({ codec: 'PCMA', sampleRate: 8000 });
    for (const [protocol, playlist] of [['HLS', 'index.m3u8'], ['LL_HLS', 'll.m3u8']] as const) {
      const probe = await ffprobe(`http://127.0.0.1:${server.httpPort}/live/${ch}/primary/${playlist}?token=${token(ch, protocol)}`, { readSeconds: 4, timeoutMs: 30_000 });
      expect(videoStream(probe), `${protocol}: ${probe.stderr}`).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      expect(audioStream(probe), `${protocol}: ${probe.stderr}`).toMatchObject({ codec_name: 'aac', sample_rate: '8000', channels: 1 });
      const audio = framesOf(probe, 'audio').map((f) => Number(f.pts_time ?? f.pkt_dts_time));
      const video = framesOf(probe, 'video').map((f) => Number(f.pts_time ?? f.pkt_dts_time));
      expect(audio.length, protocol).toBeGreaterThan(10);
      expect(video.length, protocol).toBeGreaterThan(25);
      expect(isIncreasing(audio), protocol).toBe(true);
      expect(isIncreasing(video), protocol).toBe(true);
      // audio and video are on one clock: both start within half a second of each other
      expect(Math.abs(audio[0]! - video[0]!), protocol).toBeLessThan(0.5);
    }
  });
});
