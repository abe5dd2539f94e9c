import { RtmpError, RtmpErrorCode } from './errors.js';
import { RtmpMessageType, type RtmpMessage } from './messages.js';

export interface ChunkReaderOptions {
  /** Longest message accepted (default 16 MiB). */
  maxMessageSize?: number;
  /** Largest chunk size a peer may set (default 65536). */
  maxChunkSize?: number;
  /** Bytes of unfinished messages held across all chunk streams (default 32 MiB). */
  maxPendingBytes?: number;
}

export const RTMP_DEFAULT_CHUNK_SIZE = 128;
export const RTMP_MAX_CHUNK_SIZE = 65536;

interface ChunkStream {
  /** Timestamp of the current (or last) message. */
  timestamp: number;
  /** Timestamp field of the last full header: absolute after fmt 0, a delta after fmt 1/2. */
  tsField: number;
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  parts: Buffer[];
  received: number;
}

/**
 * Incremental RTMP chunk stream parser: feed it bytes as they arrive, get whole messages back.
 * Handles chunk formats 0–3, extended timestamps, and the protocol control messages that change
 * the framing itself (Set Chunk Size, Abort, Window Acknowledgement Size), which it also returns.
 * Throws RtmpError on framing errors and on input over its bounds; the session must then close.
 */
export class RtmpChunkReader {
  chunkSize = RTMP_DEFAULT_CHUNK_SIZE;
  /** Bytes fed so far (the Acknowledgement sequence number). */
  bytesReceived = 0;
  /** Window Acknowledgement Size the peer asked for (0 = none yet). */
  ackWindow = 0;
  private lastAck = 0;
  private pending = Buffer.alloc(0);
  private pendingMessageBytes = 0;
  private streams = new Map<number, ChunkStream>();
  private readonly maxMessageSize: number;
  private readonly maxChunkSize: number;
  private readonly maxPendingBytes: number;

  constructor(options: ChunkReaderOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? 16 << 20;
    this.maxChunkSize = options.maxChunkSize ?? RTMP_MAX_CHUNK_SIZE;
    this.maxPendingBytes = options.maxPendingBytes ?? 32 << 20;
  }

  push(data: Uint8Array): RtmpMessage[] {
    this.bytesReceived += data.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : Buffer.from(data);
    const out: RtmpMessage[] = [];
    let off = 0;
    for (;;) {
      const used = this.readChunk(this.pending, off, out);
      if (used === 0) break;
      off += used;
    }
    this.pending = off >= this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(off));
    return out;
  }

  /** The sequence number to acknowledge when a window's worth of bytes came in since the last one. */
  ackDue(): number | null {
    if (this.ackWindow <= 0 || this.bytesReceived - this.lastAck < this.ackWindow) return null;
    this.lastAck = this.bytesReceived;
    return this.bytesReceived >>> 0;
  }

  /** Reads one chunk at `off`; returns the bytes it used, 0 when the chunk is not complete yet. */
  private readChunk(buf: Buffer, off: number, out: RtmpMessage[]): number {
    const start = off;
    if (off >= buf.length) return 0;
    const b0 = buf[off++]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    if (csid === 0) {
      if (off + 1 > buf.length) return 0;
      csid = 64 + buf[off++]!;
    } else if (csid === 1) {
      if (off + 2 > buf.length) return 0;
      csid = 64 + buf[off]! + buf[off + 1]! * 256;
      off += 2;
    }
    const headerSize = [11, 7, 3, 0][fmt]!;
    if (off + headerSize > buf.length) return 0;
    const prev = this.streams.get(csid);
    if (fmt !== 0 && !prev) throw new RtmpError(RtmpErrorCode.CHUNK, `chunk stream ${csid} starts with a format ${fmt} header`);
    let tsField = fmt === 3 ? prev!.tsField : buf.readUIntBE(off, 3);
    let length = prev?.length ?? 0;
    let typeId = prev?.typeId ?? 0;
    let streamId = prev?.streamId ?? 0;
    if (fmt <= 1) {
      length = buf.readUIntBE(off + 3, 3);
      typeId = buf[off + 6]!;
    }
    if (fmt === 0) streamId = buf.readUInt32LE(off + 7);
    off += headerSize;
    const extended = fmt === 3 ? prev!.extended : tsField === 0xffffff;
    if (extended) {
      if (off + 4 > buf.length) return 0;
      if (fmt !== 3 || prev!.received === 0) tsField = buf.readUInt32BE(off);
      off += 4;
    }
    const continuing = prev !== undefined && prev.received > 0 && fmt === 3;
    if (!continuing && length > this.maxMessageSize) {
      throw new RtmpError(RtmpErrorCode.TOO_LARGE, `message of ${length} bytes exceeds ${this.maxMessageSize}`);
    }
    const received = continuing ? prev.received : 0;
    const take = Math.min(this.chunkSize, length - received);
    if (off + take > buf.length) return 0;

    // the whole chunk is here: commit
    let cs = prev;
    if (!cs) {
      cs = { timestamp: 0, tsField: 0, extended: false, length: 0, typeId: 0, streamId: 0, parts: [], received: 0 };
      this.streams.set(csid, cs);
    }
    if (!continuing) {
      if (cs.received > 0) this.dropPartial(cs); // a new header in the middle of a message replaces it
      cs.timestamp = fmt === 0 ? tsField : (cs.timestamp + tsField) >>> 0;
      cs.tsField = tsField;
      cs.extended = extended;
      cs.length = length;
      cs.typeId = typeId;
      cs.streamId = streamId;
    }
    if (take > 0) {
      if (this.pendingMessageBytes + take > this.maxPendingBytes) {
        throw new RtmpError(RtmpErrorCode.TOO_LARGE, 'too many bytes of unfinished messages');
      }
      cs.parts.push(buf.subarray(off, off + take));
      cs.received += take;
      this.pendingMessageBytes += take;
    }
    off += take;
    if (cs.received >= cs.length) {
      const payload = cs.parts.length === 1 ? Buffer.from(cs.parts[0]!) : Buffer.concat(cs.parts);
      this.dropPartial(cs);
      const msg: RtmpMessage = { csid, typeId: cs.typeId, streamId: cs.streamId, timestamp: cs.timestamp, payload };
      this.applyControl(msg);
      out.push(msg);
    }
    return off - start;
  }

  private dropPartial(cs: ChunkStream) {
    this.pendingMessageBytes -= cs.received;
    cs.parts = [];
    cs.received = 0;
  }

  private applyControl(msg: RtmpMessage) {
    switch (msg.typeId) {
      case RtmpMessageType.SET_CHUNK_SIZE: {
        if (msg.payload.length < 4) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'Set Chunk Size needs 4 bytes');
        const size = msg.payload.readUInt32BE(0) & 0x7fffffff;
        if (size < 1 || size > this.maxChunkSize) throw new RtmpError(RtmpErrorCode.CHUNK, `chunk size ${size} out of range 1–${this.maxChunkSize}`);
        this.chunkSize = size;
        break;
      }
      case RtmpMessageType.ABORT: {
        if (msg.payload.length < 4) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'Abort needs 4 bytes');
        const cs = this.streams.get(msg.payload.readUInt32BE(0));
        if (cs) this.dropPartial(cs);
        break;
      }
      case RtmpMessageType.WINDOW_ACK_SIZE:
        if (msg.payload.length < 4) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'Window Acknowledgement Size needs 4 bytes');
        this.ackWindow = msg.payload.readUInt32BE(0);
        break;
    }
  }
}
