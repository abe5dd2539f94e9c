/**
 * One ffmpeg process encoding PCM to AAC for one stream:
 * `ffmpeg -f s16le -ar <rate> -ac <channels> -i pipe:0 -c:a aac -b:a 32k -f adts pipe:1`,
 * started with low-latency input options (no probing) and flushed after every packet, so a frame
 * leaves ~2 AAC frames after its samples went in. Input beyond `maxBacklogBytes` not yet taken
 * by ffmpeg is dropped (write() returns false): the publisher is never held up.
 */
import { AdtsSplitter, type AdtsOut } from './adts-splitter.js';
import { FfmpegAudioPipe, FFMPEG_PATH } from './ffmpeg-audio-pipe.js';

export { FFMPEG_PATH };

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
  private readonly pipe: FfmpegAudioPipe;
  private readonly splitter = new AdtsSplitter();
  framesOut = 0;

  constructor(o: AacEncoderOptions) {
    this.pipe = new FfmpegAudioPipe({
      input: [...(o.input ?? ['-f', 's16le', '-ar', String(o.sampleRate), '-ac', String(o.channels)]), '-i', 'pipe:0'],
      output: ['-ar', String(o.sampleRate), '-ac', String(o.channels), '-c:a', 'aac', '-b:a', o.bitrate ?? '32k', '-f', 'adts', 'pipe:1'],
      maxBacklogBytes: o.maxBacklogBytes ?? 256 << 10,
      ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      onData: (d) => {
        for (const f of this.splitter.push(d)) o.onFrame(f, this.framesOut++);
      },
      onExit: (error) => o.onExit(error),
    });
  }

  get alive(): boolean {
    return this.pipe.alive;
  }

  /** Input bytes dropped because ffmpeg was too far behind. */
  get droppedBytes(): number {
    return this.pipe.droppedBytes;
  }

  /** Queues input (PCM s16le interleaved, or what `input` says); false when it was dropped (ffmpeg too far behind, or gone). */
  write(data: Buffer): boolean {
    return this.pipe.write(data);
  }

  /** Ends the process (what is still buffered is discarded). */
  close(): void {
    this.pipe.close();
  }
}
