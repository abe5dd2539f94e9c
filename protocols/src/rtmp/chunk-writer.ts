import { RtmpError, RtmpErrorCode } from './errors.js';
import { setChunkSizeMessage, type RtmpMessage } from './messages.js';
import { RTMP_DEFAULT_CHUNK_SIZE, RTMP_MAX_CHUNK_SIZE } from './chunk-reader.js';

interface LastHeader {
  streamId: number;
  typeId: number;
  length: number;
  timestamp: number;
  tsField: number;
}

/**
 * Splits messages into chunks. Headers are compressed per chunk stream as a reader expects:
 * format 1 when only length/type change, 2 when only the timestamp delta changes, 3 when even
 * that repeats; format 0 for a new stream id or a timestamp going back.
 */
export class RtmpChunkWriter {
  private size = RTMP_DEFAULT_CHUNK_SIZE;
  private last = new Map<number, LastHeader>();

  get chunkSize(): number {
    return this.size;
  }

  /** The Set Chunk Size message for `size`; chunks written after it use the new size. */
  setChunkSize(size: number): Buffer {
    if (!Number.isInteger(size) || size < 1 || size > RTMP_MAX_CHUNK_SIZE) {
      throw new RtmpError(RtmpErrorCode.CHUNK, `chunk size ${size} out of range`);
    }
    const bytes = this.write(setChunkSizeMessage(size));
    this.size = size;
    return bytes;
  }

  write(msg: RtmpMessage): Buffer {
    const { csid, typeId, streamId, payload } = msg;
    const timestamp = msg.timestamp >>> 0;
    if (csid < 2 || csid > 65599) throw new RtmpError(RtmpErrorCode.CHUNK, `chunk stream id ${csid} out of range`);
    if (payload.length > 0xffffff) throw new RtmpError(RtmpErrorCode.TOO_LARGE, 'message longer than 16 MiB');
    const prev = this.last.get(csid);
    let fmt = 0;
    let tsField = timestamp;
    if (prev && prev.streamId === streamId && timestamp >= prev.timestamp) {
      tsField = timestamp - prev.timestamp;
      if (prev.typeId === typeId && prev.length === payload.length) fmt = tsField === prev.tsField ? 3 : 2;
      else fmt = 1;
    }
    this.last.set(csid, { streamId, typeId, length: payload.length, timestamp, tsField });
    const extended = tsField >= 0xffffff;
    const parts: Buffer[] = [];
    const header = Buffer.alloc(3 + 11 + 4);
    let n = basicHeader(header, fmt, csid);
    if (fmt <= 2) {
      header.writeUIntBE(extended ? 0xffffff : tsField, n, 3);
      n += 3;
    }
    if (fmt <= 1) {
      header.writeUIntBE(payload.length, n, 3);
      header[n + 3] = typeId;
      n += 4;
    }
    if (fmt === 0) {
      header.writeUInt32LE(streamId >>> 0, n);
      n += 4;
    }
    if (extended) {
      header.writeUInt32BE(tsField, n);
      n += 4;
    }
    parts.push(header.subarray(0, n));
    const cont = Buffer.alloc(3 + 4);
    let c = basicHeader(cont, 3, csid);
    if (extended) {
      cont.writeUInt32BE(tsField, c);
      c += 4;
    }
    const continuation = cont.subarray(0, c);
    for (let off = 0; off < payload.length; off += this.size) {
      if (off > 0) parts.push(continuation);
      parts.push(payload.subarray(off, Math.min(off + this.size, payload.length)));
    }
    return Buffer.concat(parts);
  }
}

function basicHeader(b: Buffer, fmt: number, csid: number): number {
  if (csid < 64) {
    b[0] = (fmt << 6) | csid;
    return 1;
  }
  if (csid < 320) {
    b[0] = fmt << 6;
    b[1] = csid - 64;
    return 2;
  }
  b[0] = (fmt << 6) | 1;
  b[1] = (csid - 64) & 0xff;
  b[2] = (csid - 64) >> 8;
  return 3;
}
