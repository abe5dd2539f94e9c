import type { EgressProtocol, MediaFrame, Tracks } from './media-types.js';
import { frameBytes } from './media-types.js';

export interface ReaderLimits {
  /** Frames a reader may hold before it starts dropping (default 600). */
  maxFrames: number;
  /** Bytes a reader may hold before it starts dropping (default 16 MiB). */
  maxBytes: number;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = { maxFrames: 600, maxBytes: 16 << 20 };

/**
 * One viewer of a stream. Frames wait in this reader's own bounded queue; when the viewer
 * cannot keep up, the queue overflows and the reader drops frames until the next video
 * keyframe (so what it shows stays decodable). The publisher and other readers never wait.
 */
export class StreamReader implements AsyncIterableIterator<MediaFrame> {
  private queue: MediaFrame[] = [];
  private queuedBytes = 0;
  private waiting: ((r: IteratorResult<MediaFrame>) => void) | null = null;
  private closed = false;
  /** Waiting for a video keyframe after an overflow (or at start without GOP cache). */
  private skipping = false;
  framesOut = 0;
  bytesOut = 0;
  dropped = 0;
  readonly joinedAt = Date.now();

  constructor(
    readonly id: number,
    readonly protocol: EgressProtocol,
    readonly tracks: Tracks,
    private readonly limits: ReaderLimits,
    private readonly onClose: (reader: StreamReader) => void,
    readonly remote?: string,
  ) {}

  /** Called by the stream for every frame; never blocks. */
  offer(frame: MediaFrame): void {
    if (this.closed) return;
    const hasVideo = !!this.tracks.video;
    if (this.skipping) {
      if (hasVideo && !(frame.kind === 'video' && frame.keyframe)) {
        this.dropped++;
        return;
      }
      this.skipping = false;
    }
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.account(frame);
      w({ value: frame, done: false });
      return;
    }
    const size = frameBytes(frame);
    if (this.queue.length >= this.limits.maxFrames || this.queuedBytes + size > this.limits.maxBytes) {
      // overflow: drop everything queued and wait for the next keyframe
      this.dropped += this.queue.length + 1;
      this.queue = [];
      this.queuedBytes = 0;
      this.skipping = hasVideo;
      if (!hasVideo) {
        this.queue.push(frame);
        this.queuedBytes += size;
        this.dropped--;
      }
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += size;
  }

  get queued(): number {
    return this.queue.length;
  }

  next(): Promise<IteratorResult<MediaFrame>> {
    const frame = this.queue.shift();
    if (frame) {
      this.queuedBytes -= frameBytes(frame);
      this.account(frame);
      return Promise.resolve({ value: frame, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Stops reading (viewer left, or the stream ended). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: undefined, done: true });
    }
    this.onClose(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  return(): Promise<IteratorResult<MediaFrame>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private account(frame: MediaFrame) {
    this.framesOut++;
    this.bytesOut += frameBytes(frame);
  }
}
