import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MediaFrame } from './media-types.js';
import type { StreamReader } from './reader.js';

/**
 * The bytes of a run of a stream's frames, made once for every reader that takes the same run
 * in one wake-up (readers that keep up all take the frames pushed since the last one). A run is
 * known by its first and last frame and its length: readers' queues are subsequences of the
 * stream, so equal ends and length mean equal runs.
 */
export class SharedBatch {
  private first: MediaFrame | null = null;
  private last: MediaFrame | null = null;
  private count = 0;
  private bytes: Buffer | null = null;

  get(frames: readonly MediaFrame[], make: (frames: readonly MediaFrame[]) => Buffer): Buffer {
    const first = frames[0] ?? null;
    const last = frames[frames.length - 1] ?? null;
    if (this.bytes && first === this.first && last === this.last && frames.length === this.count) return this.bytes;
    this.bytes = make(frames);
    this.first = first;
    this.last = last;
    this.count = frames.length;
    return this.bytes;
  }
}

/**
 * Drives a batch-mode reader into a socket: on each wake-up it takes every queued frame and
 * writes their bytes at once (one buffer, or several corked), so a burst leaves in one write. While the socket's buffer is full
 * it takes nothing (the reader's bounded queue absorbs the wait, or overflows and drops to the
 * next keyframe), and resumes on 'drain'. Ends once when the reader closes or the socket goes.
 *
 *   const w = new BatchWriter(socket, (frames) => { for (const f of frames) socket.write(bytesOf(f)); }, onEnd);
 *   w.start(stream.addReader('FLV', remote, { onFrames: w.wake, formats: [FLV_FORMAT] }));
 */
export class BatchWriter {
  private reader: StreamReader | null = null;
  private blocked = false;
  private ended = false;

  constructor(
    private readonly socket: Socket | Duplex,
    /** Writes the bytes of `frames` to the socket (corked when it is more than one write). */
    private readonly writeFrames: (frames: MediaFrame[]) => void,
    /** Called once at the end (reader closed: viewer left or stream ended; socket closed; or `writeFrames` threw). */
    private readonly onEnd: (err?: unknown) => void,
  ) {
    socket.on('close', this.onSocketClose);
  }

  /** Begins with what the reader already holds (the GOP cache). */
  start(reader: StreamReader): void {
    this.reader = reader;
    this.wake();
  }

  /** The reader's onFrames callback. */
  readonly wake = (): void => {
    const reader = this.reader;
    if (!reader || this.ended) return;
    if (reader.isClosed || this.socket.destroyed) return this.end();
    if (this.blocked) return;
    const frames = reader.take();
    if (frames.length === 0) return;
    const socket = this.socket;
    try {
      this.writeFrames(frames);
    } catch (err) {
      return this.end(err);
    }
    if (socket.writableNeedDrain) {
      this.blocked = true;
      socket.once('drain', this.onDrain);
    }
  };

  private readonly onDrain = () => {
    this.blocked = false;
    this.wake();
  };

  private readonly onSocketClose = () => {
    this.reader?.close(); // → wake → end
    this.end();
  };

  private end(err?: unknown) {
    if (this.ended) return;
    this.ended = true;
    this.socket.off('close', this.onSocketClose);
    this.socket.off('drain', this.onDrain);
    this.reader?.close();
    this.onEnd(err);
  }
}
