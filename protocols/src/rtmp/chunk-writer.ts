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
    return chunkMessage(fmt, csid, typeId, streamId, tsField, payload, this.size);
  }
}

/**
 * One message as chunks with a full (format 0) first header: the bytes depend only on the
 * message and the chunk size, not on what went before on the chunk stream, so one Buffer can go
 * to every player of a stream. Players read format 0 headers anywhere.
 */
export function encodeRtmpChunks(msg: RtmpMessage, chunkSize: number): Buffer {
  const { csid, typeId, streamId, payload } = msg;
  if (csid < 2 || csid > 65599) throw new RtmpError(RtmpErrorCode.CHUNK, `chunk stream id ${csid} out of range`);
  if (payload.length > 0xffffff) throw new RtmpError(RtmpErrorCode.TOO_LARGE, 'message longer than 16 MiB');
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > RTMP_MAX_CHUNK_SIZE) {
    throw new RtmpError(RtmpErrorCode.CHUNK, `chunk size ${chunkSize} out of range`);
  }
  return chunkMessage(0, csid, typeId, streamId, msg.timestamp >>> 0, payload, chunkSize);
}

/** The chunks of one message: a header of format `fmt`, then format 3 continuations, in one Buffer. */
function chunkMessage(fmt: number, csid: number, typeId: number, streamId: number, tsField: number, payload: Buffer, size: number): Buffer {
  const extended = tsField >= 0xffffff;
  const basic = csid < 64 ? 1 : csid < 320 ? 2 : 3;
  const headLen = basic + [11, 7, 3, 0][fmt]! + (extended ? 4 : 0);
  const contLen = basic + (extended ? 4 : 0);
  const chunks = Math.max(1, Math.ceil(payload.length / size));
  const out = Buffer.allocUnsafe(headLen + (chunks - 1) * contLen + payload.length);
  let n = basicHeader(out, fmt, csid);
  if (fmt <= 2) {
    out.writeUIntBE(extended ? 0xffffff : tsField, n, 3);
    n += 3;
  }
  if (fmt <= 1) {
    out.writeUIntBE(payload.length, n, 3);
    out[n + 3] = typeId;
    n += 4;
  }
  if (fmt === 0) {
    out.writeUInt32LE(streamId >>> 0, n);
    n += 4;
  }
  if (extended) {
    out.writeUInt32BE(tsField >>> 0, n);
    n += 4;
  }
  for (let off = 0; off < payload.length; off += size) {
    if (off > 0) {
      n += basicHeader(out, 3, csid, n);
      if (extended) {
        out.writeUInt32BE(tsField >>> 0, n);
        n += 4;
      }
    }
    const end = Math.min(off + size, payload.length);
    n += payload.copy(out, n, off, end);
  }
  return out;
}

function basicHeader(b: Buffer, fmt: number, csid: number, at = 0): number {
  if (csid < 64) {
    b[at] = (fmt << 6) | csid;
    return 1;
  }
  if (csid < 320) {
    b[at] = fmt << 6;
    b[at + 1] = csid - 64;
    return 2;
  }
  b[at] = (fmt << 6) | 1;
  b[at + 1] = (csid - 64) & 0xff;
  b[at + 2] = (csid - 64) >> 8;
  return 3;
}
