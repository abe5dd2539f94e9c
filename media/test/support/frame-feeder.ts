/**
 * Test media without a network peer: real ffmpeg encodes an H.264 (Annex-B) + AAC (ADTS) test
 * pattern, which is split into MediaFrames and pushed into a hub Stream in real time (or faster).
 *
 *   const media = await makeTestMedia({ seconds: 4 });
 *   const feed = publishTestStream(server.hub, 'live/cam1/primary', media, { loop: true });
 *   ...
 *   feed.stop();
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseH264Sps, splitAdts, splitAnnexB, buildAacConfig, AAC_FRAME_SAMPLES } from '@argus/protocols';
import type { MediaFrame, Tracks } from '../../src/hub/media-types.js';
import type { Stream } from '../../src/hub/stream.js';
import type { StreamHub } from '../../src/hub/stream-hub.js';

export interface TestMediaOptions {
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Frames per GOP (default: one keyframe a second). */
  gop?: number;
  sampleRate?: number;
  /** Leave the audio out. */
  noAudio?: boolean;
}

export interface TestMedia {
  tracks: Tracks;
  /** Video and audio frames in dts order, timestamps from 0 (ms). */
  frames: MediaFrame[];
  /** Length of one pass (ms, the video's length): where a loop starts again. */
  durationMs: number;
}

const cache = new Map<string, Promise<TestMedia>>();

/** Encodes (once per set of options per process) and splits a test pattern. */
export function makeTestMedia(options: TestMediaOptions): Promise<TestMedia> {
  const key = JSON.stringify(options);
  let p = cache.get(key);
  if (!p) cache.set(key, (p = encode(options)));
  return p;
}

async function encode(o: TestMediaOptions): Promise<TestMedia> {
  const { seconds, width = 640, height = 360, fps = 25, gop = fps, sampleRate = 44100 } = o;
  const dir = await mkdtemp(join(tmpdir(), 'argus-feeder-'));
  try {
    const video = join(dir, 'v.h264');
    const audio = join(dir, 'a.aac');
    const args = [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}`,
      '-map', '0:v', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-pix_fmt', 'yuv420p', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0', '-x264-params', 'aud=1', '-f', 'h264', video,
      ...(o.noAudio ? [] : ['-map', '1:a', '-t', String(seconds), '-c:a', 'aac', '-ac', '2', '-b:a', '96k', '-f', 'adts', audio]),
    ];
    await run('ffmpeg', args, 60_000);
    const frames: MediaFrame[] = [];
    const tracks: Tracks = {};
    const v = splitVideo(await readFile(video), fps);
    tracks.video = { kind: 'video', codec: 'H264', parameterSets: v.parameterSets, width: v.width, height: v.height };
    frames.push(...v.frames);
    const durationMs = v.frames.length * (1000 / fps);
    if (!o.noAudio) {
      const adts = splitAdts(await readFile(audio));
      const first = adts[0];
      if (!first) throw new Error('ffmpeg wrote no AAC frames');
      const c = first.config;
      tracks.audio = { kind: 'audio', codec: 'AAC', sampleRate: c.sampleRate, channels: c.channels, config: buildAacConfig(c.objectType, c.sampleRate, c.channelConfig) };
      const frameMs = (AAC_FRAME_SAMPLES * 1000) / c.sampleRate;
      // audio past the end of the video is left out, so a loop starts both tracks together
      adts.forEach((f, i) => {
        if ((i + 1) * frameMs <= durationMs) frames.push({ kind: 'audio', dts: i * frameMs, pts: i * frameMs, keyframe: true, units: [Buffer.from(f.data)] });
      });
    }
    frames.sort((a, b) => a.dts - b.dts || (a.kind === 'video' ? -1 : 1));
    return { tracks, frames, durationMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * H.264 Annex-B → access units: a new unit starts at an AUD, or at an SPS/PPS/SEI or a slice with
 * first_mb_in_slice = 0 after a slice. AUDs and parameter sets are taken out of the units (the
 * parameter sets go to the track, as an RTMP or RTSP ingest would deliver them).
 */
export function splitVideo(annexB: Uint8Array, fps: number) {
  const parameterSets: Buffer[] = [];
  const frames: MediaFrame[] = [];
  let units: Buffer[] = [];
  let hasSlice = false;
  const flush = () => {
    if (hasSlice) {
      const t = (frames.length * 1000) / fps;
      frames.push({ kind: 'video', dts: t, pts: t, keyframe: units.some((u) => (u[0]! & 0x1f) === 5), units });
    }
    units = [];
    hasSlice = false;
  };
  for (const nal of splitAnnexB(annexB)) {
    const type = nal[0]! & 0x1f;
    const slice = type === 1 || type === 5;
    if (type === 9 || (hasSlice && (type === 6 || type === 7 || type === 8 || (slice && (nal[1]! & 0x80) !== 0)))) flush();
    if (type === 7 || type === 8) {
      if (!parameterSets.some((p) => (p[0]! & 0x1f) === type)) parameterSets.push(Buffer.from(nal));
      continue;
    }
    if (type === 9) continue;
    units.push(Buffer.from(nal));
    if (slice) hasSlice = true;
  }
  flush();
  parameterSets.sort((a, b) => (a[0]! & 0x1f) - (b[0]! & 0x1f));
  const sps = parameterSets.find((p) => (p[0]! & 0x1f) === 7);
  if (!sps) throw new Error('no SPS in the H.264 stream');
  const { width, height } = parseH264Sps(sps);
  return { parameterSets, frames, width, height };
}

export interface FeedOptions {
  /** Media seconds per wall-clock second (default 1). */
  speed?: number;
  /** Start again (timestamps continuing) when the media ends. */
  loop?: boolean;
  /** Close the stream when feeding stops (default true). */
  closeOnStop?: boolean;
}

export interface Feed {
  stream: Stream;
  /** Frames pushed so far. */
  readonly pushed: number;
  /** Resolves when a non-looping feed has pushed everything, or when stopped. */
  done: Promise<void>;
  stop(): void;
}

/** Sets the tracks and pushes the frames into `stream`, paced by the wall clock. */
export function feedStream(stream: Stream, media: TestMedia, options: FeedOptions = {}): Feed {
  const speed = options.speed ?? 1;
  stream.setTracks(media.tracks);
  const t0 = performance.now();
  let index = 0;
  let pass = 0;
  let pushed = 0;
  let timer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (options.closeOnStop !== false) stream.close('test feed stopped');
    finish();
  };
  const tick = () => {
    const now = (performance.now() - t0) * speed;
    while (!stream.closed) {
      if (index >= media.frames.length) {
        if (!options.loop) return stop();
        index = 0;
        pass++;
      }
      const f = media.frames[index]!;
      const offset = pass * media.durationMs;
      if (f.dts + offset > now) break;
      stream.push({ ...f, dts: f.dts + offset, pts: f.pts + offset });
      pushed++;
      index++;
    }
    if (stream.closed) return stop();
    timer = setTimeout(tick, 5);
  };
  tick();
  return { stream, done, stop, get pushed() { return pushed; } };
}

/** Publishes `path` on the hub (as an INTERNAL source) and feeds it. */
export function publishTestStream(hub: StreamHub, path: string, media: TestMedia, options: FeedOptions = {}): Feed {
  return feedStream(hub.publish(path, { protocol: 'INTERNAL' }), media, options);
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${code}: ${err.slice(-500)}`));
    });
  });
}
