/**
 * AAC over RTP as mpeg4-generic (RFC 3640), mode AAC-hbr: an AU-header section (16-bit length in
 * bits, then sizeLength/indexLength bits per AU), then the AUs. An AU larger than one packet is
 * fragmented with the same AU header in every fragment and the marker on the last.
 */
import { RtpError, RtpErrorCode } from './errors.js';
import { rtpSequenceGap, type RtpDepacketizer, type RtpFrame, type RtpOutPayload, type RtpPacket } from './packet.js';
import { RTP_DEFAULT_MTU } from './nal.js';

export interface RtpAacParams {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
  /** Samples per AAC frame (1024, or 960 for some encoders). */
  samplesPerFrame?: number;
}

export const RTP_AAC_HBR: RtpAacParams = { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 };

/** AU-header parameters from fmtp (sizelength, indexlength, indexdeltalength), hbr defaults. */
export function rtpAacParamsFromFmtp(fmtp: Record<string, string>): RtpAacParams {
  const n = (k: string, d: number) => {
    const v = fmtp[k];
    return v !== undefined && /^\d{1,2}$/.test(v) ? Number(v) : d;
  };
  return { sizeLength: n('sizelength', 13), indexLength: n('indexlength', 3), indexDeltaLength: n('indexdeltalength', 3) };
}

/** fmtp of an AAC track (AAC-hbr) carrying its AudioSpecificConfig. */
export function rtpAacFmtp(config: Buffer): string {
  return `profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${config.toString('hex')}`;
}

const MAX_AU = 1 << 16;

export class AacRtpDepacketizer implements RtpDepacketizer {
  dropped = 0;
  private frag: { timestamp: number; size: number; parts: Buffer[]; have: number } | null = null;
  private lastSeq: number | null = null;
  private readonly spf: number;

  constructor(private readonly params: RtpAacParams = RTP_AAC_HBR) {
    this.spf = params.samplesPerFrame ?? 1024;
    if (params.sizeLength < 1 || params.sizeLength > 16 || params.indexLength > 8 || params.indexDeltaLength > 8) {
      throw new RtpError(RtpErrorCode.BAD_INPUT, 'unsupported AU-header sizes');
    }
  }

  push(p: RtpPacket): RtpFrame[] {
    if (rtpSequenceGap(this.lastSeq, p.sequenceNumber) && this.frag) this.dropFragment();
    this.lastSeq = p.sequenceNumber;
    const sizes = this.headers(p.payload);
    if (!sizes) return this.drop();
    let o = 2 + Math.ceil(p.payload.readUInt16BE(0) / 8);
    const data = p.payload.subarray(o);
    if (this.frag) {
      if (sizes.length !== 1 || p.timestamp !== this.frag.timestamp || sizes[0] !== this.frag.size) this.dropFragment();
      else return this.continueFragment(data);
    }
    if (sizes.length === 1 && sizes[0]! > data.length) {
      if (p.marker) return this.drop(); // a fragment must not end here
      this.frag = { timestamp: p.timestamp, size: sizes[0]!, parts: [Buffer.from(data)], have: data.length };
      return [];
    }
    const out: RtpFrame[] = [];
    o = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      if (size === 0 || o + size > data.length) return this.drop(out);
      out.push({ timestamp: (p.timestamp + i * this.spf) >>> 0, units: [Buffer.from(data.subarray(o, o + size))], keyframe: true });
      o += size;
    }
    return out;
  }

  private continueFragment(data: Buffer): RtpFrame[] {
    const f = this.frag!;
    f.parts.push(Buffer.from(data));
    f.have += data.length;
    if (f.have < f.size) return [];
    this.frag = null;
    if (f.have > f.size) return this.drop();
    return [{ timestamp: f.timestamp, units: [Buffer.concat(f.parts, f.size)], keyframe: true }];
  }

  private dropFragment() {
    this.frag = null;
    this.dropped++;
  }

  private drop(out: RtpFrame[] = []): RtpFrame[] {
    this.dropped++;
    return out;
  }

  /** AU sizes from the AU-header section, or null when it is malformed. */
  private headers(payload: Buffer): number[] | null {
    if (payload.length < 2) return null;
    const bits = payload.readUInt16BE(0);
    const bytes = Math.ceil(bits / 8);
    if (bits === 0 || 2 + bytes > payload.length) return null;
    const { sizeLength, indexLength, indexDeltaLength } = this.params;
    const sizes: number[] = [];
    let pos = 0;
    const read = (n: number) => {
      let v = 0;
      for (let i = 0; i < n; i++, pos++) v = (v << 1) | ((payload[2 + (pos >> 3)]! >> (7 - (pos & 7))) & 1);
      return v;
    };
    while (pos < bits) {
      const need = sizeLength + (sizes.length === 0 ? indexLength : indexDeltaLength);
      if (pos + need > bits) return null;
      const size = read(sizeLength);
      read(sizes.length === 0 ? indexLength : indexDeltaLength);
      if (size > MAX_AU) return null;
      sizes.push(size);
      if (sizes.length > 64) return null;
    }
    return sizes;
  }
}

/** RTP payloads of one raw AAC frame (AAC-hbr); fragmented when it does not fit in `mtu`. */
export function packetizeRtpAac(frame: Buffer, mtu = RTP_DEFAULT_MTU): RtpOutPayload[] {
  if (frame.length === 0 || frame.length > 8191) throw new RtpError(RtpErrorCode.BAD_INPUT, `AAC frame of ${frame.length} bytes does not fit a 13-bit AU size`);
  if (!Number.isInteger(mtu) || mtu < 5) throw new RtpError(RtpErrorCode.BAD_INPUT, `MTU ${mtu} is out of range`);
  const header = Buffer.from([0x00, 0x10, frame.length >> 5, (frame.length & 0x1f) << 3]);
  const chunk = mtu - header.length;
  const out: RtpOutPayload[] = [];
  for (let o = 0; o < frame.length; o += chunk) {
    const last = o + chunk >= frame.length;
    out.push({ payload: Buffer.concat([header, frame.subarray(o, o + chunk)]), marker: last, timestampOffset: 0 });
  }
  return out;
}
