import { EventEmitter } from 'node:events';
import type { EgressProtocol, IngestProtocol, MediaFrame, Tracks } from './media-types.js';
import { frameBytes } from './media-types.js';
import { StreamReader, DEFAULT_READER_LIMITS, type ReaderLimits } from './reader.js';
import { SharedEncodings, type FrameEncoder, type SharedFormat } from './shared-format.js';

export interface PublisherInfo {
  protocol: IngestProtocol;
  remote?: string;
  /** Tenant and channel when the path names one (live/<channelId>/<primary|sub>). */
  tenantId?: string;
}

export interface StreamStats {
  path: string;
  publisher: PublisherInfo;
  tracks: Tracks;
  startedAt: string;
  uptimeSeconds: number;
  bytesIn: number;
  framesIn: number;
  bitrateInKbps: number;
  readers: number;
  readersByProtocol: Partial<Record<EgressProtocol, number>>;
  bytesOut: number;
  droppedFrames: number;
}

/**
 * Batch-mode readers of a stream with video get audio frames with the next video frame, or this
 * long after the audio frame at the latest: one socket write per video frame instead of one per
 * frame, for ~20 ms of extra audio delay on average (players buffer far more).
 */
const AUDIO_HOLD_MS = 45;

/** Caps on the GOP cache: a stream whose GOP is longer keeps only its newest part. */
const GOP_MAX_FRAMES = 1500;
const GOP_MAX_BYTES = 32 << 20;

/**
 * A live stream: its tracks, a cache of the current GOP (so a new reader starts at the last
 * keyframe at once), and its readers. `push` hands each frame to every reader's own queue and
 * returns at once, whatever the readers do.
 * Events: 'ready' (tracks known and a first keyframe arrived), 'reader' (joined/left), 'closed'.
 */
export class Stream extends EventEmitter {
  tracks: Tracks = {};
  private gop: MediaFrame[] = [];
  private gopBytes = 0;
  private readers = new Set<StreamReader>();
  private nextReaderId = 1;
  private closedReaders = { bytesOut: 0, dropped: 0 };
  readonly startedAt = Date.now();
  bytesIn = 0;
  framesIn = 0;
  private rateWindow: Array<[number, number]> = [];
  /** Batch-mode readers with frames queued since the last wake-up. */
  private wake: StreamReader[] = [];
  /** Frames pushed since the last wake-up while one was pending (what a reader that keeps up takes next). */
  private run: MediaFrame[] = [];
  /** The run of the wake-up in progress (see SharedBatch). */
  currentRun: readonly MediaFrame[] = [];
  private wakeScheduled = false;
  private audioTimer: NodeJS.Timeout | null = null;
  private readonly encodings = new SharedEncodings(this);
  /**
   * dts of the first frame pushed: shared wire formats count their timestamps from it, so every
   * reader of a format gets the same bytes (readers do not start at 0 each).
   */
  epochMs: number | null = null;
  ready = false;
  closed = false;

  constructor(
    readonly path: string,
    readonly publisher: PublisherInfo,
    private readonly readerLimits: ReaderLimits = DEFAULT_READER_LIMITS,
  ) {
    super();
    this.setMaxListeners(0);
  }

  setTracks(tracks: Tracks): void {
    this.tracks = { ...this.tracks, ...tracks };
    this.maybeReady();
  }

  push(frame: MediaFrame): void {
    if (this.closed) return;
    const size = frameBytes(frame);
    this.bytesIn += size;
    this.framesIn++;
    this.epochMs ??= frame.dts;
    const now = Date.now();
    this.rateWindow.push([now, size]);
    while (this.rateWindow.length && this.rateWindow[0]![0] < now - 5000) this.rateWindow.shift();
    if (frame.kind === 'video' && frame.keyframe) {
      this.gop = [];
      this.gopBytes = 0;
    }
    // keep the cache starting at a keyframe; audio-only streams keep a short tail
    if (this.tracks.video ? this.gop.length > 0 || (frame.kind === 'video' && frame.keyframe) : true) {
      this.gop.push(frame);
      this.gopBytes += size;
      if (!this.tracks.video) {
        while (this.gop.length > 50) this.gopBytes -= frameBytes(this.gop.shift()!);
      } else if (this.gop.length > GOP_MAX_FRAMES || this.gopBytes > GOP_MAX_BYTES) {
        this.gop = [];
        this.gopBytes = 0;
      }
    }
    if (!this.ready) this.maybeReady();
    this.encodings.encode(frame);
    let woke = false;
    for (const r of this.readers) if (r.offer(frame, size)) (this.wake.push(r), (woke = true));
    if (this.wake.length === 0) return;
    this.run.push(frame);
    if (this.wakeScheduled) return;
    if (frame.kind === 'audio' && this.tracks.video) {
      // audio rides with the next video frame (at most AUDIO_HOLD_MS later): half the writes
      if (woke && !this.audioTimer) this.audioTimer = setTimeout(this.wakeReaders, AUDIO_HOLD_MS);
      return;
    }
    // one wake-up per burst: frames the publisher delivers together leave together
    this.wakeScheduled = true;
    setImmediate(this.wakeReaders);
  }

  /**
   * Adds a reader, pre-filled from the GOP cache so it starts at the last keyframe. With
   * `onFrames` the reader is in batch mode (see StreamReader); `formats` are the shared wire
   * formats it will ask `encoded()` for (their bytes are made once per frame for all readers).
   */
  addReader(
    protocol: EgressProtocol,
    remote?: string,
    options: { onFrames?: (reader: StreamReader) => void; formats?: SharedFormat<unknown, FrameEncoder<unknown>>[] } = {},
  ): StreamReader {
    if (this.closed) throw new Error(`stream ${this.path} is closed`);
    const formats = options.formats ?? [];
    for (const f of formats) this.encodings.use(f, this.gop);
    const reader = new StreamReader(
      this.nextReaderId++, protocol, this.tracks, this.readerLimits,
      (r) => {
        this.removeReader(r);
        for (const f of formats) this.encodings.release(f);
      },
      remote, options.onFrames,
    );
    for (const f of this.gop) reader.offer(f);
    reader.scheduled = false; // the egress takes the GOP itself when it starts
    this.readers.add(reader);
    this.emit('reader', { joined: true, reader });
    return reader;
  }

  /**
   * The bytes of `frame` in a shared format a reader of this stream asked for (null when the
   * format cannot carry the frame). Made once per frame, whatever the number of readers.
   */
  encoded<T>(format: SharedFormat<T, FrameEncoder<T>>, frame: MediaFrame): T | null {
    return this.encodings.get(format, frame);
  }

  /**
   * Keeps a shared format in use before a reader exists (e.g. an RTSP session between SETUP,
   * which names the RTP SSRC, and PLAY); returns the release function.
   */
  useFormat(format: SharedFormat<unknown, FrameEncoder<unknown>>): () => void {
    this.encodings.use(format, this.gop);
    let released = false;
    return () => {
      if (!released) this.encodings.release(format);
      released = true;
    };
  }

  /** This stream's encoder of a shared format a reader asked for (state its readers share). */
  encoderOf<T, E extends FrameEncoder<T>>(format: SharedFormat<T, E>): E {
    return this.encodings.encoder(format);
  }

  get readerCount(): number {
    return this.readers.size;
  }

  /** The newest keyframe and what follows it (for snapshots). */
  currentGop(): readonly MediaFrame[] {
    return this.gop;
  }

  stats(): StreamStats {
    const byProtocol: Partial<Record<EgressProtocol, number>> = {};
    let bytesOut = this.closedReaders.bytesOut;
    let dropped = this.closedReaders.dropped;
    for (const r of this.readers) {
      byProtocol[r.protocol] = (byProtocol[r.protocol] ?? 0) + 1;
      bytesOut += r.bytesOut;
      dropped += r.dropped;
    }
    const windowBytes = this.rateWindow.reduce((n, [, b]) => n + b, 0);
    const windowSeconds = this.rateWindow.length > 1 ? Math.max(1, (Date.now() - this.rateWindow[0]![0]) / 1000) : 1;
    return {
      path: this.path,
      publisher: this.publisher,
      tracks: this.tracks,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      bytesIn: this.bytesIn,
      framesIn: this.framesIn,
      bitrateInKbps: Math.round((windowBytes * 8) / 1000 / windowSeconds),
      readers: this.readers.size,
      readersByProtocol: byProtocol,
      bytesOut,
      droppedFrames: dropped,
    };
  }

  close(reason = 'publisher left'): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of [...this.readers]) r.close();
    this.gop = [];
    this.gopBytes = 0;
    this.wake = [];
    this.run = [];
    if (this.audioTimer) clearTimeout(this.audioTimer);
    this.audioTimer = null;
    this.rateWindow = [];
    this.emit('closed', reason);
  }

  private readonly wakeReaders = () => {
    this.wakeScheduled = false;
    if (this.audioTimer) clearTimeout(this.audioTimer);
    this.audioTimer = null;
    const wake = this.wake;
    this.wake = [];
    this.currentRun = this.run;
    this.run = [];
    for (const r of wake) {
      r.scheduled = false;
      if (!r.isClosed) r.onFrames!(r);
    }
    this.currentRun = [];
  };

  private removeReader(r: StreamReader) {
    if (!this.readers.delete(r)) return;
    this.closedReaders.bytesOut += r.bytesOut;
    this.closedReaders.dropped += r.dropped;
    this.emit('reader', { joined: false, reader: r });
  }

  private maybeReady() {
    if (this.ready) return;
    const hasKey = this.tracks.video ? this.gop.length > 0 : this.framesIn > 0;
    if ((this.tracks.video || this.tracks.audio) && hasKey) {
      this.ready = true;
      this.emit('ready');
    }
  }
}
