/**
 * One ffmpeg process turning AAC (ADTS) into Opus for WebRTC players:
 * `ffmpeg -f aac -i pipe:0 -c:a libopus -ar 48000 -ac 2 -frame_duration 20 -application lowdelay -f ogg pipe:1`,
 * with low-latency input options and one Ogg page per packet, so a packet leaves as soon as it is
 * encoded. Input beyond `maxBacklogBytes` not yet taken by ffmpeg is dropped (write() returns
 * false): the publisher is never held up.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { OggSplitter } from './ogg-splitter.js';
import { FFMPEG_PATH } from './aac-encoder.js';

export interface OpusEncoderOptions {
  /** ffmpeg -b:a (default 48k). */
  bitrate?: string;
  maxBacklogBytes?: number;
  ffmpegPath?: string;
  /** Every Opus packet (the OpusHead and OpusTags header packets are not passed on). */
  onPacket(packet: Buffer, index: number): void;
  /** OpusHead's pre-skip (samples at 48 kHz the decoder drops at the start). */
  onHead?(preSkip: number): void;
  onExit(error: string | null): void;
}

export class OpusEncoderProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly splitter = new OggSplitter();
  private stderr = '';
  private closing = false;
  private exited = false;
  private headers = 0;
  packetsOut = 0;
  droppedBytes = 0;

  constructor(private readonly o: OpusEncoderOptions) {
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-probesize', '32', '-analyzeduration', '0', '-fflags', '+nobuffer',
      '-f', 'aac', '-i', 'pipe:0',
      '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', o.bitrate ?? '48k',
      '-frame_duration', '20', '-application', 'lowdelay',
      '-flush_packets', '1', '-page_duration', '20000', '-f', 'ogg', 'pipe:1',
    ];
    this.child = spawn(o.ffmpegPath ?? FFMPEG_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // ffmpeg gone: reported by 'close'
    this.child.stdout.on('data', (d: Buffer) => {
      for (const p of this.splitter.push(d)) this.packet(p);
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

  /** The child's pid (for CPU accounting). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Queues ADTS bytes; false when they were dropped (ffmpeg too far behind, or gone). */
  write(adts: Buffer): boolean {
    if (!this.alive) return false;
    if (this.child.stdin.writableLength > (this.o.maxBacklogBytes ?? 64 << 10)) {
      this.droppedBytes += adts.length;
      return false;
    }
    this.child.stdin.write(adts);
    return true;
  }

  close(): void {
    if (this.closing || this.exited) return;
    this.closing = true;
    this.child.kill('SIGKILL');
  }

  private packet(p: Buffer) {
    if (this.headers < 2 && (p.subarray(0, 8).toString('latin1') === 'OpusHead' || p.subarray(0, 8).toString('latin1') === 'OpusTags')) {
      this.headers++;
      if (p.length >= 12 && p.subarray(0, 8).toString('latin1') === 'OpusHead') this.o.onHead?.(p.readUInt16LE(10));
      return;
    }
    this.o.onPacket(p, this.packetsOut++);
  }

  private finish(error: string | null) {
    if (this.exited) return;
    this.exited = true;
    this.o.onExit(error);
  }
}
