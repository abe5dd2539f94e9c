import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { MediaFrame } from './media-types.js';
import type { StreamReader } from './reader.js';
import type { Stream } from './stream.js';

/**
 * The bytes of the frames a wake-up hands out, made once for every reader that keeps up: such a
 * reader takes exactly the stream's current run (the frames pushed since the last wake-up).
 * Readers that take anything else (a GOP burst, a backlog after waiting for drain, a queue with
 * drops) get null and write the frames' own shared Buffers instead, so no reader ever gets a
 * copy of its own.
 */
export class SharedBatch {
  private run: readonly MediaFrame[] | null = null;
  private bytes: Buffer | null = null;

  constructor(private readonly stream: Stream) {}

  get(frames: readonly MediaFrame[], make: (frames: readonly MediaFrame[]) => Buffer): Buffer | null {
    const run = this.stream.currentRun;
    const n = frames.length;
    if (n === 0 || n !== run.length || frames[0] !== run[0] || frames[n - 1] !== run[n - 1]) return null;
    if (this.run !== run || !this.bytes) {
      this.bytes = make(run);
      this.run = run;
    }
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
