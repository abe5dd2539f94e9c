/**
 * One ffmpeg process encoding PCM to AAC for one stream:
 * `ffmpeg -f s16le -ar <rate> -ac <channels> -i pipe:0 -c:a aac -b:a 32k -f adts pipe:1`,
 * started with low-latency input options (no probing) and flushed after every packet, so a frame
 * leaves ~2 AAC frames after its samples went in. Input beyond `maxBacklogBytes` not yet taken
 * by ffmpeg is dropped (write() returns false): the publisher is never held up.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AdtsSplitter, type AdtsOut } from './adts-splitter.js';

export const FFMPEG_PATH = process.env.FFMPEG_PATH || '/usr/bin/ffmpeg';

export interface AacEncoderOptions {
  sampleRate: number;
  channels: number;
  /** ffmpeg input options before `-i pipe:0` (default: PCM, `-f s16le -ar <rate> -ac <channels>`). */
  input?: string[];
  /** ffmpeg -b:a (default 32k). */
  bitrate?: string;
  /** PCM bytes ffmpeg may lag behind before input is dropped (default 256 KiB). */
  maxBacklogBytes?: number;
  ffmpegPath?: string;
  /** Every encoded frame, numbered from 0 in output order. */
  onFrame(frame: AdtsOut, index: number): void;
  /** The process ended; `error` is null after close(). */
  onExit(error: string | null): void;
}

export class AacEncoderProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly splitter = new AdtsSplitter();
  private stderr = '';
  private closing = false;
  private exited = false;
  framesOut = 0;
  droppedBytes = 0;

  constructor(private readonly o: AacEncoderOptions) {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-probesize', '32', '-analyzeduration', '0', '-fflags', '+nobuffer',
      ...(o.input ?? ['-f', 's16le', '-ar', String(o.sampleRate), '-ac', String(o.channels)]), '-i', 'pipe:0',
      '-ar', String(o.sampleRate), '-ac', String(o.channels), '-c:a', 'aac', '-b:a', o.bitrate ?? '32k', '-flush_packets', '1', '-f', 'adts', 'pipe:1',
    ];
    this.child = spawn(o.ffmpegPath ?? FFMPEG_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // ffmpeg gone: reported by 'exit'
    this.child.stdout.on('data', (d: Buffer) => {
      for (const f of this.splitter.push(d)) this.o.onFrame(f, this.framesOut++);
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

  /** Queues input (PCM s16le interleaved, or what `input` says); false when it was dropped (ffmpeg too far behind, or gone). */
  write(pcm: Buffer): boolean {
    if (!this.alive) return false;
    if (this.child.stdin.writableLength > (this.o.maxBacklogBytes ?? 256 << 10)) {
      this.droppedBytes += pcm.length;
      return false;
    }
    this.child.stdin.write(pcm);
    return true;
  }

  /** Ends the process (what is still buffered is discarded). */
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
