import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { nalsOfAvcBody } from './media-mark.js';
import { isKeyframeBody, type Viewer, type ViewerOptions } from './media-rtmp-client.js';

const VIDEO_TAG = 9;

/**
 * Cheap FLV byte-stream scanner: reads the 13-byte file header, then per tag the 11-byte header
 * and the first two bytes of a video tag's body; skips everything else without copying.
 */
export class FlvTagScanner {
  private stage: 'file' | 'header' | 'body' = 'file';
  private small: Buffer | null = null;
  private tagType = 0;
  private bodyLeft = 0;
  private bodySeen = 0;
  private head0 = 0;
  private head1 = 0;
  private body: Buffer[] | null = null;

  constructor(
    private readonly onTag: (type: number, head0: number, head1: number, body: Buffer | null) => void,
    /** Assemble video tag bodies too (probes that look inside frames). */
    private readonly keepVideo = false,
  ) {}

  push(data: Buffer): void {
    let buf = data;
    if (this.small) {
      buf = Buffer.concat([this.small, data]);
      this.small = null;
    }
    let off = 0;
    while (off < buf.length) {
      if (this.stage === 'body') {
        const take = Math.min(this.bodyLeft, buf.length - off);
        for (let i = 0; i < take && this.bodySeen + i < 2; i++) {
          if (this.bodySeen + i === 0) this.head0 = buf[off + i]!;
          else this.head1 = buf[off + i]!;
        }
        this.body?.push(buf.subarray(off, off + take));
        this.bodySeen += take;
        this.bodyLeft -= take;
        off += take;
        if (this.bodyLeft === 0) {
          const body = this.body ? Buffer.concat(this.body) : null;
          this.body = null;
          this.onTag(this.tagType, this.head0, this.head1, body && body.subarray(0, body.length - 4));
          this.stage = 'header';
        }
        continue;
      }
      const size = this.stage === 'file' ? 13 : 11;
      if (buf.length - off < size) {
        this.small = Buffer.from(buf.subarray(off));
        return;
      }
      if (this.stage === 'file') {
        if (buf.toString('latin1', off, off + 3) !== 'FLV') throw new Error('not an FLV stream');
        off += 13;
        this.stage = 'header';
        continue;
      }
      this.tagType = buf[off]! & 0x1f;
      const dataSize = buf.readUIntBE(off + 1, 3);
      off += 11;
      this.bodyLeft = dataSize + 4; // body + PreviousTagSize
      this.bodySeen = 0;
      this.head0 = this.head1 = 0;
      this.body = this.keepVideo && this.tagType === VIDEO_TAG ? [] : null;
      this.stage = 'body';
    }
  }
}

/** A plain HTTP GET of an HTTP-FLV URL that counts bytes and video tags. */
export function flvViewer(url: string, options: ViewerOptions = {}): Viewer {
  const t0 = performance.now();
  let resolveStarted!: () => void;
  let rejectStarted!: (e: Error) => void;
  let resolveKey!: () => void;
  const started = new Promise<void>((res, rej) => ((resolveStarted = res), (rejectStarted = rej)));
  started.catch(() => undefined);
  const keyframe = new Promise<void>((res) => (resolveKey = res));
  const scanner = new FlvTagScanner((type, h0, h1, body) => {
    if (type !== VIDEO_TAG) return;
    v.videoFrames++;
    const at = performance.now();
    if (Number.isNaN(v.firstKeyframeMs) && isKeyframeBody(h0, h1)) {
      v.firstKeyframeMs = at - t0;
      resolveKey();
    }
    if (body) options.onVideoFrame?.(nalsOfAvcBody(body), at);
  }, !!options.onVideoFrame);
  const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
    if (res.statusCode !== 200) {
      fail(`HTTP ${res.statusCode}`);
      res.resume();
      return;
    }
    res.socket.setNoDelay(true);
    v.playing = true;
    resolveStarted();
    res.on('data', (d: Buffer) => {
      v.bytes += d.length;
      try {
        scanner.push(d);
      } catch (err) {
        fail((err as Error).message);
      }
    });
    res.on('end', () => fail('server ended the response'));
    res.on('error', (err) => fail(err.message));
  });
  const v: Viewer = {
    bytes: 0,
    videoFrames: 0,
    firstKeyframeMs: NaN,
    playing: false,
    closed: false,
    error: null,
    started,
    keyframe,
    close: () => {
      if (v.closed) return;
      v.closed = true;
      req.destroy();
      rejectStarted(new Error(v.error ?? 'closed'));
      resolveKey();
    },
  };
  const fail = (why: string) => {
    v.error ??= why;
    v.close();
  };
  req.on('error', (err) => fail(err.message));
  req.on('close', () => fail('connection closed'));
  req.end();
  return v;
}
