/**
 * One ffmpeg process turning an audio byte stream into another, for formats TypeScript does not
 * code itself (AAC decoding, Opus in both directions): input on stdin, output on stdout, with the
 * low-latency input options (no probing, no buffering) and a flush after every output packet.
 * Input beyond `maxBacklogBytes` not yet taken by ffmpeg is dropped (write() returns false), so
 * whoever feeds it is never held up.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The ffmpeg every media process runs (Debian's by default). */
export const FFMPEG_PATH = process.env.FFMPEG_PATH || '/usr/bin/ffmpeg';

export interface FfmpegAudioPipeOptions {
  /** Input options and `-i pipe:0` (after the common low-latency options). */
  input: string[];
  /** Output options ending in `pipe:1` (before it, `-flush_packets 1` is added). */
  output: string[];
  onData(chunk: Buffer): void;
  /** The process ended; `error` is null after close(). */
  onExit(error: string | null): void;
  /** Default 256 KiB. */
  maxBacklogBytes?: number;
  ffmpegPath?: string;
}

export class FfmpegAudioPipe {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private closing = false;
  private exited = false;
  droppedBytes = 0;

  constructor(private readonly o: FfmpegAudioPipeOptions) {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-probesize', '32', '-analyzeduration', '0', '-fflags', '+nobuffer', '-flags', 'low_delay',
      ...o.input,
      ...o.output.slice(0, -1), '-flush_packets', '1', ...o.output.slice(-1),
    ];
    this.child = spawn(o.ffmpegPath ?? FFMPEG_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // ffmpeg gone: reported by 'close'
    this.child.stdout.on('data', (d: Buffer) => {
      if (!this.closing) this.o.onData(d);
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-2000);
    });
    this.child.once('error', (err) => this.finish(`cannot run ffmpeg: ${err.message}`));
    this.child.once('close', (code, signal) => {
      this.finish(this.closing ? null : `ffmpeg exited (${signal ?? code}): ${this.stderr.trim().split('\n').pop() ?? ''}`);
    });
  }

  get alive(): boolean {
    return !this.exited && !this.closing;
  }

  write(data: Buffer): boolean {
    if (!this.alive) return false;
    if (this.child.stdin.writableLength > (this.o.maxBacklogBytes ?? 256 << 10)) {
      this.droppedBytes += data.length;
      return false;
    }
    this.child.stdin.write(data);
    return true;
  }

  /** The child's pid (for CPU accounting). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    if (this.closing || this.exited) return;
    this.closing = true;
    this.child.kill('SIGKILL');
  }

  private finish(error: string | null) {
    if (this.exited) return;
    this.exited = true;
    this.o.onExit(error);
  }
}
