/**
 * One ffmpeg process turning AAC (ADTS) into Opus for WebRTC players:
 * `ffmpeg -f aac -i pipe:0 -c:a libopus -ar 48000 -ac 2 -frame_duration 20 -application lowdelay -f ogg pipe:1`,
 * with low-latency input options and one Ogg page per packet, so a packet leaves as soon as it is
 * encoded. Input beyond `maxBacklogBytes` not yet taken by ffmpeg is dropped (write() returns
 * false): the publisher is never held up.
 */
import { OggSplitter } from './ogg-splitter.js';
import { FfmpegAudioPipe } from './ffmpeg-audio-pipe.js';

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
  private readonly pipe: FfmpegAudioPipe;
  private readonly splitter = new OggSplitter();
  private headers = 0;
  packetsOut = 0;

  constructor(private readonly o: OpusEncoderOptions) {
    this.pipe = new FfmpegAudioPipe({
      input: ['-f', 'aac', '-i', 'pipe:0'],
      output: [
        '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', o.bitrate ?? '48k',
        '-frame_duration', '20', '-application', 'lowdelay', '-page_duration', '20000', '-f', 'ogg', 'pipe:1',
      ],
      maxBacklogBytes: o.maxBacklogBytes ?? 64 << 10,
      ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      onData: (d) => {
        for (const p of this.splitter.push(d)) this.packet(p);
      },
      onExit: (error) => o.onExit(error),
    });
  }

  get alive(): boolean {
    return this.pipe.alive;
  }

  /** The child's pid (for CPU accounting). */
  get pid(): number | undefined {
    return this.pipe.pid;
  }

  /** Input bytes dropped because ffmpeg was too far behind. */
  get droppedBytes(): number {
    return this.pipe.droppedBytes;
  }

  /** Queues ADTS bytes; false when they were dropped (ffmpeg too far behind, or gone). */
  write(adts: Buffer): boolean {
    return this.pipe.write(adts);
  }

  close(): void {
    this.pipe.close();
  }

  private packet(p: Buffer) {
    if (this.headers < 2 && (p.subarray(0, 8).toString('latin1') === 'OpusHead' || p.subarray(0, 8).toString('latin1') === 'OpusTags')) {
      this.headers++;
      if (p.length >= 12 && p.subarray(0, 8).toString('latin1') === 'OpusHead') this.o.onHead?.(p.readUInt16LE(10));
      return;
    }
    this.o.onPacket(p, this.packetsOut++);
  }
}
