import { FlvError, FlvErrorCode } from './errors.js';

export const FlvTagType = { AUDIO: 8, VIDEO: 9, SCRIPT: 18 } as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvTag {
  type: number;
  /** Milliseconds, 32 bits (24 + 8 extension bits on the wire). */
  timestamp: number;
  /** The tag body: an audio, video or script data body (the same bytes as an RTMP message). */
  data: Buffer;
}

/** The 9-byte FLV header followed by PreviousTagSize0 (4 zero bytes). */
export function encodeFlvHeader(header: { hasAudio: boolean; hasVideo: boolean }): Buffer {
  return Buffer.from([0x46, 0x4c, 0x56, 1, (header.hasAudio ? 4 : 0) | (header.hasVideo ? 1 : 0), 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** One tag followed by its PreviousTagSize. */
export function encodeFlvTag(tag: FlvTag): Buffer {
  if (tag.data.length > 0xffffff) throw new FlvError(FlvErrorCode.TOO_LARGE, 'FLV tag body longer than 16 MiB');
  const out = Buffer.alloc(11 + tag.data.length + 4);
  const ts = tag.timestamp >>> 0;
  out[0] = tag.type & 0x1f;
  out.writeUIntBE(tag.data.length, 1, 3);
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = ts >>> 24;
  // stream id: 3 zero bytes
  tag.data.copy(out, 11);
  out.writeUInt32BE(11 + tag.data.length, 11 + tag.data.length);
  return out;
}

const SIGNATURE = [0x46, 0x4c, 0x56]; // 'FLV'

export interface FlvDemuxerOptions {
  /** Largest tag body accepted (default 16 MiB). */
  maxTagSize?: number;
}

/**
 * Incremental FLV demuxer: push bytes as they arrive, get whole tags back. The header is
 * available as `header` once read. Throws FlvError on a bad signature or an oversized tag.
 */
export class FlvDemuxer {
  header: FlvHeader | null = null;
  private pending = Buffer.alloc(0);
  /** Bytes still to skip before the first tag (rest of the header and PreviousTagSize0). */
  private skip = 0;
  private readonly maxTagSize: number;

  constructor(options: FlvDemuxerOptions = {}) {
    this.maxTagSize = options.maxTagSize ?? 16 << 20;
  }

  push(data: Uint8Array): FlvTag[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : Buffer.from(data);
    const tags: FlvTag[] = [];
    let off = 0;
    const buf = this.pending;
    if (!this.header) {
      for (let i = 0; i < 3 && i < buf.length; i++) {
        if (buf[i] !== SIGNATURE[i]) throw new FlvError(FlvErrorCode.BAD_HEADER, 'not an FLV stream');
      }
      if (buf.length < 9) return this.keep(buf, off, tags);
      const dataOffset = buf.readUInt32BE(5);
      if (dataOffset < 9 || dataOffset > 1024) throw new FlvError(FlvErrorCode.BAD_HEADER, `FLV data offset ${dataOffset}`);
      this.header = { version: buf[3]!, hasAudio: (buf[4]! & 4) !== 0, hasVideo: (buf[4]! & 1) !== 0 };
      off = 9;
      this.skip = dataOffset - 9 + 4;
    }
    const skipNow = Math.min(this.skip, buf.length - off);
    off += skipNow;
    this.skip -= skipNow;
    if (this.skip > 0) return this.keep(buf, off, tags);
    while (off + 11 <= buf.length) {
      const size = buf.readUIntBE(off + 1, 3);
      if (size > this.maxTagSize) throw new FlvError(FlvErrorCode.TOO_LARGE, `FLV tag of ${size} bytes exceeds ${this.maxTagSize}`);
      if (off + 11 + size + 4 > buf.length) break;
      const timestamp = ((buf[off + 7]! << 24) | buf.readUIntBE(off + 4, 3)) >>> 0;
      tags.push({ type: buf[off]! & 0x1f, timestamp, data: Buffer.from(buf.subarray(off + 11, off + 11 + size)) });
      off += 11 + size + 4;
    }
    return this.keep(buf, off, tags);
  }

  private keep(buf: Buffer, off: number, tags: FlvTag[]): FlvTag[] {
    this.pending = off >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
    return tags;
  }
}

/** Demuxes a whole FLV file or capture. */
export function demuxFlv(data: Uint8Array, options?: FlvDemuxerOptions): { header: FlvHeader | null; tags: FlvTag[] } {
  const d = new FlvDemuxer(options);
  const tags = d.push(data);
  return { header: d.header, tags };
}
