import type { MediaFrame } from './media-types.js';
import type { Stream } from './stream.js';

/**
 * A wire format whose bytes for a frame are the same for every reader of a stream (FLV tags,
 * RTMP chunks, RTP packets): the stream encodes each frame once, in stream order, while at
 * least one reader uses the format, and every reader writes the same Buffers.
 */
export interface SharedFormat<T, E extends FrameEncoder<T> = FrameEncoder<T>> {
  readonly name: string;
  /** The encoder of one stream; made when the first reader asks for the format, kept with the stream. */
  encoder(stream: Stream): E;
}

export interface FrameEncoder<T> {
  /** Called once per frame, in stream order; null when the format cannot carry the frame. */
  encode(frame: MediaFrame): T | null;
}

interface Encoding {
  encoder: FrameEncoder<unknown>;
  /** Frame → its bytes; entries go when the frame leaves the GOP cache and every reader queue. */
  cache: WeakMap<MediaFrame, unknown>;
  users: number;
}

/** The shared formats of one stream (see SharedFormat). */
export class SharedEncodings {
  private readonly active: Encoding[] = [];
  private readonly byFormat = new Map<object, Encoding>();

  constructor(private readonly stream: Stream) {}

  /** A reader starts using `format`; frames already cached (the GOP) are encoded first, in order. */
  use(format: SharedFormat<unknown, FrameEncoder<unknown>>, cached: readonly MediaFrame[]): void {
    let e = this.byFormat.get(format);
    if (!e) {
      e = { encoder: format.encoder(this.stream), cache: new WeakMap(), users: 0 };
      this.byFormat.set(format, e);
    }
    if (e.users++ === 0) {
      for (const f of cached) if (!e.cache.has(f)) e.cache.set(f, e.encoder.encode(f));
      this.active.push(e);
    }
  }

  release(format: object): void {
    const e = this.byFormat.get(format);
    if (!e || e.users === 0) return;
    if (--e.users === 0) this.active.splice(this.active.indexOf(e), 1);
  }

  /** Encodes a new frame in every format in use. */
  encode(frame: MediaFrame): void {
    for (const e of this.active) e.cache.set(frame, e.encoder.encode(frame));
  }

  /** The stream's encoder of `format` (for state its readers share, e.g. batch bytes). */
  encoder<T, E extends FrameEncoder<T>>(format: SharedFormat<T, E>): E {
    const e = this.byFormat.get(format);
    if (!e) throw new Error(`format ${format.name} is not in use on this stream`);
    return e.encoder as E;
  }

  get<T>(format: SharedFormat<T, FrameEncoder<T>>, frame: MediaFrame): T | null {
    const e = this.byFormat.get(format);
    if (!e) throw new Error(`format ${format.name} is not in use on this stream`);
    let v = e.cache.get(frame);
    if (v === undefined) {
      // only frames from before the format was in use, which no reader of it holds
      v = e.encoder.encode(frame);
      e.cache.set(frame, v);
    }
    return v as T | null;
  }
}
