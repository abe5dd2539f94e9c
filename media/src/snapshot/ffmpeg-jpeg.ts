/** One keyframe → one JPEG through Debian's ffmpeg, bounded in time and output size. */
import { spawn } from 'node:child_process';
import type { VideoCodec } from '../hub/index.js';

export const FFMPEG_PATH = process.env.FFMPEG_PATH || '/usr/bin/ffmpeg';

export interface JpegEncodeOptions {
  /** The process is killed after this long (default 5 s). */
  timeoutMs?: number;
  /** Output beyond this many bytes kills the process (default 8 MiB). */
  maxBytes?: number;
  /** mjpeg -q:v, 2 (best) – 31 (default 3). */
  quality?: number;
  ffmpegPath?: string;
}

export class SnapshotEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotEncodeError';
  }
}

/**
 * Decodes the Annex-B keyframe and encodes its picture as JPEG:
 * `ffmpeg -f h264|hevc -i pipe:0 -frames:v 1 -f image2 -c:v mjpeg pipe:1`.
 */
export function encodeJpeg(annexB: Buffer, codec: VideoCodec, o: JpegEncodeOptions = {}): Promise<Buffer> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxBytes = o.maxBytes ?? 8 << 20;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-f', codec === 'H265' ? 'hevc' : 'h264', '-i', 'pipe:0',
    '-frames:v', '1', '-an', '-q:v', String(o.quality ?? 3), '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(o.ffmpegPath ?? FFMPEG_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | null = null;
    const fail = (why: string) => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(`ffmpeg took longer than ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) return fail(`JPEG larger than ${maxBytes} bytes`);
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    // ffmpeg may exit before reading everything (bad input): that is its answer, not ours to throw
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new SnapshotEncodeError(`cannot run ffmpeg: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(new SnapshotEncodeError(failure));
      if (code !== 0 || size === 0) {
        return reject(new SnapshotEncodeError(`ffmpeg could not decode the keyframe (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
      }
      resolve(Buffer.concat(out));
    });
    child.stdin.end(annexB);
  });
}
