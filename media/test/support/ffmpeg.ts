/**
 * Real ffmpeg / ffprobe as test peers: spawn with a time limit, kill in afterEach, read ffprobe's
 * JSON. Nothing here knows a protocol; URLs and formats come from the test.
 *
 *   afterEach(() => killAllFfmpeg());
 *   const pub = spawnFfmpeg(['-re', ...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', url]);
 *   const probe = await ffprobe(playUrl, { readSeconds: 2 });
 *   expect(videoStream(probe)).toMatchObject({ codec_name: 'h264', width: 640 });
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe';

export interface PeerProcess {
  child: ChildProcess;
  /** Resolves when the process exits (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr so far (last 64 KiB). */
  stderr(): string;
  /** Everything it wrote to stdout (when `captureStdout`). */
  stdout(): Buffer;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  kill(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Kill the process after this long (default 60 s). */
  timeoutMs?: number;
  /** Keep stdout in memory (default false: ignored). */
  captureStdout?: boolean;
}

const running = new Set<PeerProcess>();

/** Spawns any program as a test peer, tracked so `killAllFfmpeg()` can end it. */
export function spawnPeer(command: string, args: string[], options: SpawnOptions = {}): PeerProcess {
  const child = spawn(command, args, { stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'] });
  let err = '';
  const out: Buffer[] = [];
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-65536);
  });
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (e) => {
      err += `\nspawn failed: ${e.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  const timer = setTimeout(() => void peer.kill(), options.timeoutMs ?? 60_000);
  timer.unref();
  const peer: PeerProcess = {
    child,
    exited,
    stderr: () => err,
    stdout: () => Buffer.concat(out),
    kill: async (graceMs = 2000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
    },
  };
  running.add(peer);
  void exited.then(() => {
    clearTimeout(timer);
    running.delete(peer);
  });
  return peer;
}

/** `ffmpeg -hide_banner -nostdin -loglevel warning <args>`. */
export function spawnFfmpeg(args: string[], options?: SpawnOptions): PeerProcess {
  return spawnPeer(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...args], options);
}

/** Kills every ffmpeg/ffprobe (and other peer) still running; for afterEach. */
export async function killAllFfmpeg(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

export interface TestSourceOptions {
  size?: string;
  rate?: number;
  /** Sine tone sample rate; 0 = no audio (default 44100). */
  sampleRate?: number;
  /** Read the input at its native rate, as a live source does (default true). */
  realtime?: boolean;
  /** Extra lavfi video filter, e.g. 'noise=alls=80:allf=t' for an incompressible picture. */
  videoFilter?: string;
}

/** Input args: lavfi testsrc (and a 1 kHz sine), live-paced. */
export function testSourceArgs(o: TestSourceOptions = {}): string[] {
  const size = o.size ?? '640x360';
  const rate = o.rate ?? 25;
  const sampleRate = o.sampleRate ?? 44100;
  const args = [...(o.realtime === false ? [] : ['-re']), '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${rate}`];
  if (sampleRate > 0) args.push(...(o.realtime === false ? [] : ['-re']), '-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=${sampleRate}`);
  if (o.videoFilter) args.push('-vf', o.videoFilter);
  return args;
}

/** Encoder args: H.264 ultrafast/zerolatency with a GOP of `gop` frames, and AAC. */
export function h264AacArgs(o: { gop?: number; audio?: boolean; videoBitrate?: string } = {}): string[] {
  const args = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(o.gop ?? 25), '-pix_fmt', 'yuv420p'];
  if (o.videoBitrate) args.push('-b:v', o.videoBitrate, '-maxrate', o.videoBitrate, '-bufsize', o.videoBitrate);
  if (o.audio ?? true) args.push('-c:a', 'aac');
  else args.push('-an');
  return args;
}

// ---------------------------------------------------------------------------------------------
// ffprobe

export interface ProbeStream {
  index: number;
  codec_type: 'video' | 'audio' | 'data' | 'subtitle' | string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  /** A string in ffprobe's JSON, e.g. "44100". */
  sample_rate?: string;
  channels?: number;
  r_frame_rate?: string;
  [key: string]: unknown;
}

export interface ProbeFrame {
  media_type: 'video' | 'audio' | string;
  stream_index: number;
  key_frame: number;
  pts?: number;
  pts_time?: string;
  pkt_dts?: number;
  pkt_dts_time?: string;
  best_effort_timestamp?: number;
  width?: number;
  height?: number;
  pict_type?: string;
  [key: string]: unknown;
}

export interface ProbeResult {
  streams: ProbeStream[];
  frames: ProbeFrame[];
  /** ffprobe's exit code (a live input cut off by -read_intervals may still exit 0). */
  code: number | null;
  stderr: string;
}

export interface ProbeOptions {
  /** Read this many seconds from the start (-read_intervals %+N); default: all of it. */
  readSeconds?: number;
  /** Include -show_frames (default true). */
  showFrames?: boolean;
  /** Extra args before the input (e.g. ['-rtsp_transport', 'tcp']). */
  inputArgs?: string[];
  /** Kill after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs `ffprobe -show_streams [-show_frames] -of json` on a URL or file. */
export async function ffprobe(input: string, o: ProbeOptions = {}): Promise<ProbeResult> {
  const args = ['-hide_banner', '-v', 'error', '-of', 'json', '-show_streams'];
  if (o.showFrames ?? true) args.push('-show_frames');
  if (o.readSeconds !== undefined) args.push('-read_intervals', `%+${o.readSeconds}`);
  args.push(...(o.inputArgs ?? []), '-i', input);
  const p = spawnPeer(FFPROBE, args, { timeoutMs: o.timeoutMs ?? 30_000, captureStdout: true });
  const { code } = await p.exited;
  return { ...parseProbeJson(p.stdout().toString('utf8')), code, stderr: p.stderr() };
}

/** Parses ffprobe's JSON output (tolerates empty output: no streams, no frames). */
export function parseProbeJson(json: string): { streams: ProbeStream[]; frames: ProbeFrame[] } {
  if (!json.trim()) return { streams: [], frames: [] };
  const parsed = JSON.parse(json) as { streams?: ProbeStream[]; frames?: ProbeFrame[]; packets_and_frames?: ProbeFrame[] };
  return { streams: parsed.streams ?? [], frames: parsed.frames ?? parsed.packets_and_frames?.filter((f) => 'media_type' in f) ?? [] };
}

export function videoStream(r: { streams: ProbeStream[] }): ProbeStream | undefined {
  return r.streams.find((s) => s.codec_type === 'video');
}

export function audioStream(r: { streams: ProbeStream[] }): ProbeStream | undefined {
  return r.streams.find((s) => s.codec_type === 'audio');
}

export function framesOf(r: { frames: ProbeFrame[] }, mediaType: 'video' | 'audio'): ProbeFrame[] {
  return r.frames.filter((f) => f.media_type === mediaType);
}

/** True when the values are strictly increasing (undefined entries ignored). */
export function isIncreasing(values: Array<number | undefined>): boolean {
  const v = values.filter((x): x is number => typeof x === 'number');
  return v.every((x, i) => i === 0 || x > v[i - 1]!);
}

// ---------------------------------------------------------------------------------------------
// polling

export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws with `what`, which may be a function for late details such as stderr). */
export async function waitFor<T>(check: () => T | Promise<T>, o: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {}): Promise<Truthy<T>> {
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const what = typeof o.what === 'function' ? o.what() : (o.what ?? 'condition');
      throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
  }
}
