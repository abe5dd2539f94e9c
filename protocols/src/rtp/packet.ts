/** RTP packets (RFC 3550 §5.1): parse and serialize; sequencing and timestamp unwrapping. */
import { RtpError, RtpErrorCode } from './errors.js';

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extension?: { profile: number; data: Buffer };
  /** Payload without padding (a view of the input). */
  payload: Buffer;
}

export function parseRtpPacket(buf: Buffer): RtpPacket {
  if (buf.length < 12) throw new RtpError(RtpErrorCode.MALFORMED, `RTP packet of ${buf.length} bytes is shorter than its header`);
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) throw new RtpError(RtpErrorCode.MALFORMED, `RTP version ${b0 >> 6} is not 2`);
  const cc = b0 & 0x0f;
  let offset = 12 + cc * 4;
  if (buf.length < offset) throw new RtpError(RtpErrorCode.MALFORMED, 'RTP CSRC list runs past the packet');
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(buf.readUInt32BE(12 + i * 4));
  let extension: RtpPacket['extension'];
  if (b0 & 0x10) {
    if (buf.length < offset + 4) throw new RtpError(RtpErrorCode.MALFORMED, 'RTP extension header runs past the packet');
    const profile = buf.readUInt16BE(offset);
    const words = buf.readUInt16BE(offset + 2);
    const end = offset + 4 + words * 4;
    if (buf.length < end) throw new RtpError(RtpErrorCode.MALFORMED, 'RTP extension runs past the packet');
    extension = { profile, data: buf.subarray(offset + 4, end) };
    offset = end;
  }
  let end = buf.length;
  if (b0 & 0x20) {
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || offset + pad > buf.length) throw new RtpError(RtpErrorCode.MALFORMED, 'RTP padding runs past the payload');
    end -= pad;
  }
  return {
    marker: (buf[1]! & 0x80) !== 0,
    payloadType: buf[1]! & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrcs,
    ...(extension ? { extension } : {}),
    payload: buf.subarray(offset, end),
  };
}

export function serializeRtpPacket(p: RtpPacket): Buffer {
  if (p.csrcs.length > 15) throw new RtpError(RtpErrorCode.BAD_INPUT, 'at most 15 CSRCs');
  const ext = p.extension;
  if (ext && ext.data.length % 4 !== 0) throw new RtpError(RtpErrorCode.BAD_INPUT, 'RTP extension data must be whole 32-bit words');
  const headLen = 12 + p.csrcs.length * 4 + (ext ? 4 + ext.data.length : 0);
  const out = Buffer.allocUnsafe(headLen + p.payload.length);
  out[0] = 0x80 | (ext ? 0x10 : 0) | p.csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  let o = 12;
  for (const c of p.csrcs) (out.writeUInt32BE(c >>> 0, o), (o += 4));
  if (ext) {
    out.writeUInt16BE(ext.profile & 0xffff, o);
    out.writeUInt16BE(ext.data.length / 4, o + 2);
    ext.data.copy(out, o + 4);
    o += 4 + ext.data.length;
  }
  p.payload.copy(out, o);
  return out;
}

/** One payload a packetizer produced: its marker bit and its offset from the frame's timestamp. */
export interface RtpOutPayload {
  payload: Buffer;
  marker: boolean;
  /** Added to the frame's RTP timestamp (G.711 chunks of one frame); usually 0. */
  timestampOffset: number;
}

/** One frame a depacketizer reassembled. */
export interface RtpFrame {
  /** RTP timestamp (32-bit, wrapping). */
  timestamp: number;
  /** Video: NAL units without start codes. Audio: one raw frame. */
  units: Buffer[];
  /** Video: contains an IDR / IRAP picture. Audio: true. */
  keyframe: boolean;
}

/** Turns RTP packets of one payload format into frames; never throws on bad payloads (it drops them). */
export interface RtpDepacketizer {
  push(packet: RtpPacket): RtpFrame[];
  /** Payloads dropped as malformed, incomplete or too large. */
  readonly dropped: number;
}

/** The outgoing side of one RTP stream: sequence numbers, SSRC, counters for sender reports. */
export class RtpPacketWriter {
  packetCount = 0;
  octetCount = 0;
  lastTimestamp = 0;

  constructor(
    readonly payloadType: number,
    readonly ssrc: number,
    public sequenceNumber = 0,
  ) {}

  /** Serializes the payloads of one frame stamped `timestamp`. */
  write(payloads: readonly RtpOutPayload[], timestamp: number): Buffer[] {
    return payloads.map((p) => {
      const ts = (timestamp + p.timestampOffset) >>> 0;
      const buf = serializeRtpPacket({
        marker: p.marker, payloadType: this.payloadType, sequenceNumber: this.sequenceNumber, timestamp: ts, ssrc: this.ssrc, csrcs: [], payload: p.payload,
      });
      this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
      this.packetCount++;
      this.octetCount += p.payload.length;
      this.lastTimestamp = ts;
      return buf;
    });
  }
}

/** Extends wrapping 32-bit RTP timestamps to a continuous number (steps of ±2^31 at most). */
export class RtpTimestampUnwrapper {
  private last: number | null = null;
  private value = 0;

  unwrap(ts: number): number {
    ts >>>= 0;
    if (this.last === null) this.value = ts;
    else this.value += (ts - this.last) | 0;
    this.last = ts;
    return this.value;
  }
}

/** Sequence-number continuity: true when `seq` does not follow `last` (a packet was lost or reordered). */
export function rtpSequenceGap(last: number | null, seq: number): boolean {
  return last !== null && ((last + 1) & 0xffff) !== seq;
}
