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
 *
 * Two ways to read: as an async iterator (one frame per `next()`), or in batches — give the
 * stream a wake-up callback (`Stream.addReader(…, { onFrames })`); it is called at most once per
 * publisher wake-up when frames are queued, and the egress `take()`s them all and writes them in
 * one go. An egress waiting for its socket to drain simply does not take; its queue grows until
 * it does, or overflows.
 */
export class StreamReader implements AsyncIterableIterator<MediaFrame> {
  private queue: MediaFrame[] = [];
  private queuedBytes = 0;
  private waiting: ((r: IteratorResult<MediaFrame>) => void) | null = null;
  private closed = false;
  /** Waiting for a video keyframe after an overflow (or at start without GOP cache). */
  private skipping = false;
  /** Batch mode: set while a wake-up is scheduled, so a burst of frames wakes the egress once. */
  scheduled = false;
  framesOut = 0;
  bytesOut = 0;
  dropped = 0;
  /** Overflows so far (each one drops the queue and skips to the next keyframe). */
  overflows = 0;
  readonly joinedAt = Date.now();

  constructor(
    readonly id: number,
    readonly protocol: EgressProtocol,
    readonly tracks: Tracks,
    private readonly limits: ReaderLimits,
    private readonly onClose: (reader: StreamReader) => void,
    readonly remote?: string,
    /** Batch mode: called (via the stream, once per burst) when frames were queued. */
    readonly onFrames?: (reader: StreamReader) => void,
  ) {}

  /**
   * Called by the stream for every frame; never blocks. Returns true when the frame was queued
   * for a batch-mode reader that has no wake-up scheduled yet.
   */
  offer(frame: MediaFrame, size = frameBytes(frame)): boolean {
    if (this.closed) return false;
    if (this.skipping) {
      if (this.tracks.video && !(frame.kind === 'video' && frame.keyframe)) {
        this.dropped++;
        return false;
      }
      this.skipping = false;
    }
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.framesOut++;
      this.bytesOut += size;
      w({ value: frame, done: false });
      return false;
    }
    if (this.queue.length >= this.limits.maxFrames || this.queuedBytes + size > this.limits.maxBytes) {
      // overflow: drop everything queued and wait for the next keyframe
      this.overflows++;
      this.dropped += this.queue.length + 1;
      this.queue = [];
      this.queuedBytes = 0;
      this.skipping = !!this.tracks.video;
      if (this.tracks.video) return false;
      this.dropped--;
    }
    this.queue.push(frame);
    this.queuedBytes += size;
    if (!this.onFrames || this.scheduled) return false;
    this.scheduled = true;
    return true;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** What the reader holds, oldest first, without taking it. */
  peek(): readonly MediaFrame[] {
    return this.queue;
  }

  /** Batch mode: everything queued, oldest first (and the queue is empty again). */
  take(): MediaFrame[] {
    const frames = this.queue;
    if (frames.length === 0) return frames;
    this.queue = [];
    this.framesOut += frames.length;
    this.bytesOut += this.queuedBytes;
    this.queuedBytes = 0;
    return frames;
  }

  next(): Promise<IteratorResult<MediaFrame>> {
    const frame = this.queue.shift();
    if (frame) {
      const size = frameBytes(frame);
      this.queuedBytes -= size;
      this.framesOut++;
      this.bytesOut += size;
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
    // a batch-mode egress learns of the end on its next wake-up (and stops)
    this.onFrames?.(this);
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
}
