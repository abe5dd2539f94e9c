/**
 * The live timeline of one stream for one HLS flavour: reads the stream's frames, cuts segments at
 * video keyframes (~targetMs) and, for LL-HLS, parts (≤ partTargetMs) inside them, and keeps a
 * sliding window. A Packager turns frames into bytes (TS or fMP4). Waiters (blocking playlist
 * reloads, preload-hinted parts) are woken on every change.
 */
import { EventEmitter } from 'node:events';
import type { MediaFrame, Stream, StreamReader } from '../../hub/index.js';

export interface Packager {
  /** fMP4 init segment; null for TS. */
  readonly init: Buffer | null;
  /** Adds a frame; `t` is its dts on the segmenter's clock (ms, ≥ 0). */
  add(frame: MediaFrame, t: number): void;
  /** The bytes of everything added since the last flush; `end` is the boundary time (ms). */
  flush(end: number): Buffer | null;
}

export interface HlsPart {
  index: number;
  durationMs: number;
  independent: boolean;
  data: Buffer;
}

export interface HlsSegment {
  msn: number;
  /** Set when complete. */
  durationMs: number;
  complete: boolean;
  independent: boolean;
  parts: HlsPart[];
}

export interface SegmenterOptions {
  targetMs: number;
  /** null: no parts (classic HLS). */
  partTargetMs: number | null;
  windowSegments: number;
  /** A segment is cut here even without a keyframe. */
  maxSegmentMs: number;
}

/** Timeline clock: dts − first dts + this, so frames a little older than the first keyframe stay ≥ 0. */
const CLOCK_OFFSET_MS = 1000;
/** Completed segments kept beyond the playlist window, for players a little behind. */
const EXTRA_SEGMENTS = 3;

export class Segmenter extends EventEmitter {
  /** Distinguishes this run's URLs from an earlier segmenter's for the same stream. */
  readonly gen = Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36);
  readonly segments: HlsSegment[] = [];
  lastRequest = Date.now();
  closed = false;
  /** Longest segment so far (for EXT-X-TARGETDURATION). */
  maxSegmentMs = 0;
  private readonly hasVideo: boolean;
  private base: number | null = null;
  private segStart = 0;
  private partStart = 0;
  private partIndependent = false;
  private partOpen = false;
  private lastClock: number | null = null;
  private frameGap = 0;

  constructor(
    readonly stream: Stream,
    private readonly reader: StreamReader,
    readonly packager: Packager,
    readonly options: SegmenterOptions,
    private nextMsn: number,
  ) {
    super();
    this.setMaxListeners(0);
    this.hasVideo = !!reader.tracks.video;
  }

  async run(): Promise<void> {
    try {
      for await (const frame of this.reader) this.onFrame(frame);
    } finally {
      this.stop();
    }
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close();
    this.emit('update');
    this.emit('closed');
  }

  get open(): HlsSegment | undefined {
    const last = this.segments[this.segments.length - 1];
    return last && !last.complete ? last : undefined;
  }

  get complete(): HlsSegment[] {
    return this.segments.filter((s) => s.complete);
  }

  find(msn: number): HlsSegment | undefined {
    return this.segments.find((s) => s.msn === msn);
  }

  /** The newest part: [msn, index], or null before any. */
  lastPart(): [number, number] | null {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i]!;
      if (s.parts.length) return [s.msn, s.parts.length - 1];
    }
    return null;
  }

  /** Resolves true once `ready()` holds, false on timeout, abort or close. */
  waitFor(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.off('update', check);
        signal?.removeEventListener('abort', abort);
        resolve(v);
      };
      const check = () => {
        if (ready()) done(true);
        else if (this.closed) done(false);
      };
      const abort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('update', check);
      signal?.addEventListener('abort', abort);
    });
  }

  private onFrame(f: MediaFrame): void {
    if (this.base === null) {
      if (this.hasVideo && !(f.kind === 'video' && f.keyframe)) return;
      this.base = f.dts;
    }
    const t = f.dts - this.base + CLOCK_OFFSET_MS;
    if (t < 0) return;
    // cuts happen on the frames that set the pace: video when there is video, else audio
    const clock = this.hasVideo ? f.kind === 'video' : f.kind === 'audio';
    const open = this.open;
    if (open && clock) {
      const segMs = t - this.segStart;
      const atKey = this.hasVideo ? f.keyframe : true;
      if ((atKey && segMs >= this.options.targetMs - 1) || segMs >= this.options.maxSegmentMs) {
        this.closePart(t);
        this.closeSegment(open, t);
      } else if (this.options.partTargetMs !== null && this.partOpen && t > this.partStart) {
        // cut before this frame when keeping it would push the part past the target
        if (t - this.partStart + this.frameGap > this.options.partTargetMs + 0.5) this.closePart(t);
      }
    }
    if (!this.open) {
      this.segments.push({ msn: this.nextMsn++, durationMs: 0, complete: false, independent: !this.hasVideo || f.keyframe, parts: [] });
      this.segStart = t;
    }
    if (!this.partOpen) {
      this.partOpen = true;
      this.partStart = t;
      this.partIndependent = !this.hasVideo || (f.kind === 'video' && f.keyframe);
    }
    this.packager.add(f, t);
    if (clock) {
      if (this.lastClock !== null && t > this.lastClock) this.frameGap = t - this.lastClock;
      this.lastClock = t;
    }
  }

  private closePart(t: number) {
    if (!this.partOpen) return;
    this.partOpen = false;
    const data = this.packager.flush(t);
    const seg = this.open;
    if (!data || !seg) return;
    seg.parts.push({ index: seg.parts.length, durationMs: t - this.partStart, independent: this.partIndependent, data });
    this.emit('update');
  }

  private closeSegment(seg: HlsSegment, t: number) {
    seg.durationMs = t - this.segStart;
    seg.complete = true;
    this.maxSegmentMs = Math.max(this.maxSegmentMs, seg.durationMs);
    while (this.complete.length > this.options.windowSegments + EXTRA_SEGMENTS) this.segments.shift();
    this.emit('update');
  }

  /** The next media sequence number this segmenter would give (to continue numbering after a restart). */
  get upcomingMsn(): number {
    return this.nextMsn;
  }
}

export function segmentBytes(seg: HlsSegment): Buffer {
  return seg.parts.length === 1 ? seg.parts[0]!.data : Buffer.concat(seg.parts.map((p) => p.data));
}
