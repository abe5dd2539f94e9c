/**
 * Minimal RTCP (RFC 3550 §6): sender reports with an SDES CNAME, empty receiver reports, and a
 * parser of compound packets that reads SR timing and names the other packet types.
 */
import { RtpError, RtpErrorCode } from './errors.js';

const SR = 200;
const RR = 201;
const SDES = 202;
/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01. */
const NTP_UNIX_OFFSET = 2_208_988_800;

export interface RtcpSenderInfo {
  ssrc: number;
  /** Wall clock of the report, Unix epoch milliseconds. */
  ntpTimeMs: number;
  /** The RTP timestamp that corresponds to `ntpTimeMs`. */
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export type RtcpPacket =
  | ({ type: 'sr' } & RtcpSenderInfo)
  | { type: 'rr'; ssrc: number; reportCount: number }
  | { type: 'other'; packetType: number };

function header(pt: number, count: number, words: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = 0x80 | (count & 0x1f);
  b[1] = pt;
  b.writeUInt16BE(words - 1, 2);
  return b;
}

/** An SR (no report blocks) followed by an SDES CNAME, as a compound packet. */
export function buildRtcpSenderReport(sr: RtcpSenderInfo, cname = 'argus'): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt32BE(sr.ssrc >>> 0, 0);
  const secs = Math.floor(sr.ntpTimeMs / 1000);
  body.writeUInt32BE((secs + NTP_UNIX_OFFSET) >>> 0, 4);
  body.writeUInt32BE(Math.floor(((sr.ntpTimeMs - secs * 1000) / 1000) * 0x1_0000_0000) >>> 0, 8);
  body.writeUInt32BE(sr.rtpTimestamp >>> 0, 12);
  body.writeUInt32BE(sr.packetCount >>> 0, 16);
  body.writeUInt32BE(sr.octetCount >>> 0, 20);
  return Buffer.concat([header(SR, 0, 7), body, sdes(sr.ssrc, cname)]);
}

function sdes(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname.slice(0, 255), 'utf8').subarray(0, 255);
  const chunkLen = 4 + 2 + text.length + 1;
  const padded = Math.ceil(chunkLen / 4) * 4;
  const chunk = Buffer.alloc(padded);
  chunk.writeUInt32BE(ssrc >>> 0, 0);
  chunk[4] = 1; // CNAME
  chunk[5] = text.length;
  text.copy(chunk, 6);
  return Buffer.concat([header(SDES, 1, 1 + padded / 4), chunk]);
}

/** An RR without report blocks (a receiver's keepalive), with an SDES CNAME. */
export function buildRtcpReceiverReport(ssrc: number, cname = 'argus'): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(ssrc >>> 0, 0);
  return Buffer.concat([header(RR, 0, 2), body, sdes(ssrc, cname)]);
}

/** Parses a compound RTCP packet; throws RtpError when a length is inconsistent. */
export function parseRtcpPackets(buf: Buffer): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let o = 0;
  if (buf.length < 4) throw new RtpError(RtpErrorCode.MALFORMED, 'RTCP packet is shorter than its header');
  while (o < buf.length) {
    if (o + 4 > buf.length) throw new RtpError(RtpErrorCode.MALFORMED, 'RTCP header runs past the packet');
    const b0 = buf[o]!;
    if (b0 >> 6 !== 2) throw new RtpError(RtpErrorCode.MALFORMED, `RTCP version ${b0 >> 6} is not 2`);
    const pt = buf[o + 1]!;
    const len = (buf.readUInt16BE(o + 2) + 1) * 4;
    if (o + len > buf.length) throw new RtpError(RtpErrorCode.MALFORMED, 'RTCP length runs past the packet');
    if (pt === SR && len >= 28) {
      const secs = buf.readUInt32BE(o + 8) - NTP_UNIX_OFFSET;
      const frac = buf.readUInt32BE(o + 12) / 0x1_0000_0000;
      out.push({
        type: 'sr', ssrc: buf.readUInt32BE(o + 4), ntpTimeMs: (secs + frac) * 1000, rtpTimestamp: buf.readUInt32BE(o + 16),
        packetCount: buf.readUInt32BE(o + 20), octetCount: buf.readUInt32BE(o + 24),
      });
    } else if (pt === RR && len >= 8) {
      out.push({ type: 'rr', ssrc: buf.readUInt32BE(o + 4), reportCount: b0 & 0x1f });
    } else {
      out.push({ type: 'other', packetType: pt });
    }
    o += len;
  }
  return out;
}
