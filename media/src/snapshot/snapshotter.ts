/**
 * JPEG of a live stream's newest keyframe. The keyframe comes from the stream's GOP cache
 * (Stream.currentGop()); when the cache holds none yet, the next keyframe is awaited (bounded).
 * One ffmpeg per distinct keyframe: callers asking for the same keyframe share its JPEG, and at
 * most `maxConcurrent` encodes run on the node at once (a bounded number wait; more are refused).
 */
import { PlayRefused } from '../access/play-authorizer.js';
import type { MediaFrame, Stream } from '../hub/index.js';
import { encodeJpeg, SnapshotEncodeError, type JpegEncodeOptions } from './ffmpeg-jpeg.js';
import { jpegSize, isJpeg } from './jpeg.js';
import { keyframeAnnexB } from './keyframe.js';

export interface SnapshotImage {
  jpeg: Buffer;
  width: number;
  height: number;
  takenAt: Date;
}

export interface SnapshotterOptions extends JpegEncodeOptions {
  /** How long to wait for a keyframe when the GOP cache has none (default 5 s). */
  keyframeWaitMs?: number;
  /** Encodes running at once on this node (default 4). */
  maxConcurrent?: number;
  /** Encodes that may wait for a slot; beyond that requests are refused (default 32). */
  maxQueued?: number;
}

export class Snapshotter {
  private running = 0;
  private queue: Array<() => void> = [];
  /** Per stream, the last keyframe encoded and its picture (a frame object is one keyframe). */
  private last = new WeakMap<Stream, { keyframe: MediaFrame; image: Promise<SnapshotImage> }>();

  constructor(private readonly o: SnapshotterOptions = {}) {}

  /** The JPEG of `stream`'s newest keyframe; PlayRefused when the stream has no decodable video. */
  async take(stream: Stream): Promise<SnapshotImage> {
    const video = stream.tracks.video;
    if (!video) throw new PlayRefused(503, 'CODEC_UNSUPPORTED', `stream ${stream.path} has no video`);
    if (video.codec !== 'H264' && video.codec !== 'H265') {
      throw new PlayRefused(503, 'CODEC_UNSUPPORTED', `snapshots need H.264 or H.265 video, stream ${stream.path} has ${String(video.codec)}`);
    }
    const keyframe = newestKeyframe(stream) ?? (await this.nextKeyframe(stream));
    const cached = this.last.get(stream);
    if (cached && cached.keyframe === keyframe) return cached.image;
    const image = this.encode(stream, keyframe);
    this.last.set(stream, { keyframe, image });
    image.catch(() => {
      if (this.last.get(stream)?.image === image) this.last.delete(stream);
    });
    return image;
  }

  private async encode(stream: Stream, keyframe: MediaFrame): Promise<SnapshotImage> {
    const video = stream.tracks.video!;
    const annexB = keyframeAnnexB(video, keyframe);
    await this.slot();
    let jpeg: Buffer;
    try {
      jpeg = await encodeJpeg(annexB, video.codec, this.o);
    } catch (err) {
      if (err instanceof SnapshotEncodeError) throw new PlayRefused(503, 'SNAPSHOT_FAILED', `no snapshot of ${stream.path}: ${err.message}`);
      throw err;
    } finally {
      this.release();
    }
    const size = jpegSize(jpeg);
    if (!isJpeg(jpeg) || !size) throw new PlayRefused(503, 'SNAPSHOT_FAILED', `no snapshot of ${stream.path}: ffmpeg wrote no complete JPEG`);
    return { jpeg, ...size, takenAt: new Date() };
  }

  /** Waits for the stream's next video keyframe through a short-lived SNAPSHOT reader. */
  private async nextKeyframe(stream: Stream): Promise<MediaFrame> {
    const waitMs = this.o.keyframeWaitMs ?? 5000;
    let reader;
    try {
      reader = stream.addReader('SNAPSHOT', 'snapshot');
    } catch {
      throw new PlayRefused(404, 'STREAM_NOT_FOUND', `stream ${stream.path} has ended`);
    }
    const timer = setTimeout(() => reader.close(), waitMs);
    try {
      for await (const frame of reader) if (frame.kind === 'video' && frame.keyframe) return frame;
    } finally {
      clearTimeout(timer);
      reader.close();
    }
    throw new PlayRefused(503, 'UNAVAILABLE', `stream ${stream.path} sent no keyframe within ${waitMs} ms`);
  }

  private slot(): Promise<void> {
    if (this.running < (this.o.maxConcurrent ?? 4)) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= (this.o.maxQueued ?? 32)) {
      return Promise.reject(new PlayRefused(503, 'UNAVAILABLE', 'too many snapshots in progress on this media node; try again'));
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release() {
    const next = this.queue.shift();
    if (next) next(); // the slot passes on
    else this.running--;
  }
}

/** The GOP cache's first frame when it is a video keyframe. */
function newestKeyframe(stream: Stream): MediaFrame | null {
  const first = stream.currentGop()[0];
  return first && first.kind === 'video' && first.keyframe ? first : null;
}
