/**
 * H.265 over RTP (RFC 7798) without DONL (sprop-max-don-diff=0): single NAL unit packets,
 * aggregation packets (AP, type 48), fragmentation units (FU, type 49). PACI (50) is dropped.
 */
import type { RtpOutPayload } from './packet.js';
import { NalDepacketizer, RTP_DEFAULT_MTU, fragments, lengthPrefixed, packetizeNalUnits, splitBase64List } from './nal.js';

const AP = 48;
const FU = 49;

const typeOf = (b0: number) => (b0 >> 1) & 0x3f;

export class H265RtpDepacketizer extends NalDepacketizer {
  protected payload(payload: Buffer): boolean {
    if (payload.length < 2) return false;
    const type = typeOf(payload[0]!);
    if (type < AP) return this.add(Buffer.from(payload));
    if (type === AP) {
      let o = 2;
      while (o < payload.length) {
        if (o + 2 > payload.length) return false;
        const size = payload.readUInt16BE(o);
        o += 2;
        if (size < 2 || o + size > payload.length) return false;
        if (!this.add(Buffer.from(payload.subarray(o, o + size)))) return false;
        o += size;
      }
      return true;
    }
    if (type === FU) {
      if (payload.length < 3) return false;
      const fuHeader = payload[2]!;
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      if (start && end) return false;
      if (start) {
        const head = Buffer.from([(payload[0]! & 0x81) | ((fuHeader & 0x3f) << 1), payload[1]!]);
        this.fuStart(head, payload.subarray(3));
        return true;
      }
      return this.fuContinue(payload.subarray(3), end);
    }
    return false;
  }

  protected isKeyframe(nalu: Buffer): boolean {
    const t = typeOf(nalu[0]!);
    return t >= 16 && t <= 21;
  }
}

const H265_FORMAT = {
  headerBytes: 2,
  aggregate(group: Buffer[]) {
    const first = group[0]!;
    return lengthPrefixed(Buffer.from([(first[0]! & 0x81) | (AP << 1), first[1]!]), group);
  },
  fragment(nalu: Buffer, mtu: number) {
    const h0 = (nalu[0]! & 0x81) | (FU << 1);
    const type = typeOf(nalu[0]!);
    return fragments(nalu, 2, mtu, (s, e) => Buffer.from([h0, nalu[1]!, (s ? 0x80 : 0) | (e ? 0x40 : 0) | type]));
  },
};

/** RTP payloads of one H.265 access unit; marker on the last. */
export function packetizeRtpH265(nalus: readonly Buffer[], mtu = RTP_DEFAULT_MTU): RtpOutPayload[] {
  return packetizeNalUnits(nalus, mtu, H265_FORMAT);
}

/** fmtp of an H.265 track from its VPS, SPS and PPS. */
export function rtpH265Fmtp(vps: Buffer | undefined, sps: Buffer | undefined, pps: Buffer | undefined): string {
  const parts: string[] = [];
  if (vps) parts.push(`sprop-vps=${vps.toString('base64')}`);
  if (sps) parts.push(`sprop-sps=${sps.toString('base64')}`);
  if (pps) parts.push(`sprop-pps=${pps.toString('base64')}`);
  return parts.join(';');
}

/** VPS, SPS and PPS from fmtp sprop-vps / sprop-sps / sprop-pps. */
export function parseRtpH265Sprop(fmtp: Record<string, string>): Buffer[] {
  return [...splitBase64List(fmtp['sprop-vps']), ...splitBase64List(fmtp['sprop-sps']), ...splitBase64List(fmtp['sprop-pps'])];
}
