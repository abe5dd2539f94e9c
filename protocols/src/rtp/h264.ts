/**
 * H.264 over RTP (RFC 6184), packetization-mode 1: single NAL unit packets, STAP-A, FU-A.
 * The depacketizer emits one access unit per RTP timestamp (ended by the marker bit or by a new
 * timestamp); the packetizer aggregates small NAL units into STAP-A and fragments large ones.
 */
import type { RtpOutPayload } from './packet.js';
import { NalDepacketizer, RTP_DEFAULT_MTU, fragments, lengthPrefixed, packetizeNalUnits, splitBase64List } from './nal.js';

const STAP_A = 24;
const FU_A = 28;

export class H264RtpDepacketizer extends NalDepacketizer {
  protected payload(payload: Buffer): boolean {
    if (payload.length < 1) return false;
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type <= 23) return this.add(Buffer.from(payload));
    if (type === STAP_A) {
      let o = 1;
      if (payload.length < 3) return false;
      while (o < payload.length) {
        if (o + 2 > payload.length) return false;
        const size = payload.readUInt16BE(o);
        o += 2;
        if (size === 0 || o + size > payload.length) return false;
        if (!this.add(Buffer.from(payload.subarray(o, o + size)))) return false;
        o += size;
      }
      return true;
    }
    if (type === FU_A) {
      if (payload.length < 3) return false;
      const fuHeader = payload[1]!;
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      if (start && end) return false;
      if (start) {
        this.fuStart(Buffer.from([(payload[0]! & 0xe0) | (fuHeader & 0x1f)]), payload.subarray(2));
        return true;
      }
      return this.fuContinue(payload.subarray(2), end);
    }
    return false; // STAP-B, MTAP, FU-B (interleaved mode) and reserved types
  }

  protected isKeyframe(nalu: Buffer): boolean {
    return (nalu[0]! & 0x1f) === 5;
  }
}

const H264_FORMAT = {
  headerBytes: 1,
  aggregate(group: Buffer[]) {
    let nri = 0;
    let f = 0;
    for (const n of group) (nri = Math.max(nri, n[0]! & 0x60)), (f |= n[0]! & 0x80);
    return lengthPrefixed(Buffer.from([f | nri | STAP_A]), group);
  },
  fragment(nalu: Buffer, mtu: number) {
    const indicator = (nalu[0]! & 0xe0) | FU_A;
    const type = nalu[0]! & 0x1f;
    return fragments(nalu, 1, mtu, (s, e) => Buffer.from([indicator, (s ? 0x80 : 0) | (e ? 0x40 : 0) | type]));
  },
};

/** RTP payloads of one H.264 access unit (NAL units without start codes); marker on the last. */
export function packetizeRtpH264(nalus: readonly Buffer[], mtu = RTP_DEFAULT_MTU): RtpOutPayload[] {
  return packetizeNalUnits(nalus, mtu, H264_FORMAT);
}

/** fmtp of an H.264 track: packetization-mode=1, profile-level-id and sprop-parameter-sets from the SPS and PPS. */
export function rtpH264Fmtp(sps: Buffer | undefined, pps: readonly Buffer[]): string {
  const parts = ['packetization-mode=1'];
  if (sps && sps.length >= 4) parts.push(`profile-level-id=${sps.subarray(1, 4).toString('hex').toUpperCase()}`);
  if (sps) parts.push(`sprop-parameter-sets=${[sps, ...pps].map((b) => b.toString('base64')).join(',')}`);
  return parts.join(';');
}

/** Parameter sets from fmtp sprop-parameter-sets (invalid base64 entries are skipped). */
export function parseRtpH264Sprop(fmtp: Record<string, string>): Buffer[] {
  return splitBase64List(fmtp['sprop-parameter-sets']);
}
