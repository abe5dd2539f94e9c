/** What H.264 and H.265 over RTP share: access-unit assembly, aggregation and fragmentation. */
import { rtpSequenceGap, type RtpDepacketizer, type RtpFrame, type RtpOutPayload, type RtpPacket } from './packet.js';
import { RtpError, RtpErrorCode } from './errors.js';

export const RTP_DEFAULT_MTU = 1400;
/** Access units larger than this are dropped (default 8 MiB). */
export const RTP_MAX_FRAME_BYTES = 8 << 20;

/**
 * Collects the NAL units of one access unit. Shared by the H.264 and H.265 depacketizers: they
 * only differ in how a payload splits into NAL units and what makes a keyframe.
 */
export abstract class NalDepacketizer implements RtpDepacketizer {
  dropped = 0;
  private nalus: Buffer[] = [];
  private bytes = 0;
  private ts: number | null = null;
  private broken = false;
  protected fu: Buffer[] | null = null;
  protected fuBytes = 0;
  private lastSeq: number | null = null;

  constructor(private readonly maxFrameBytes = RTP_MAX_FRAME_BYTES) {}

  push(p: RtpPacket): RtpFrame[] {
    const out: RtpFrame[] = [];
    if (rtpSequenceGap(this.lastSeq, p.sequenceNumber) && this.fu) {
      this.fu = null;
      this.dropped++;
    }
    this.lastSeq = p.sequenceNumber;
    if (this.ts !== null && p.timestamp !== this.ts) this.flush(out);
    this.ts = p.timestamp;
    if (!this.broken && !this.payload(p.payload)) {
      this.broken = true;
      this.fu = null;
      this.dropped++;
    }
    if (p.marker) this.flush(out);
    return out;
  }

  /** Splits one payload into NAL units (calling `add`); false when it is malformed. */
  protected abstract payload(payload: Buffer): boolean;
  protected abstract isKeyframe(nalu: Buffer): boolean;

  protected add(nalu: Buffer): boolean {
    if (nalu.length === 0) return false;
    this.bytes += nalu.length;
    if (this.bytes > this.maxFrameBytes) return false;
    this.nalus.push(nalu);
    return true;
  }

  /** Fragment helpers: start, continue, end. */
  protected fuStart(header: Buffer, data: Buffer): void {
    this.fu = [header, Buffer.from(data)];
    this.fuBytes = header.length + data.length;
  }

  protected fuContinue(data: Buffer, end: boolean): boolean {
    if (!this.fu) return true; // its start was lost: skip the rest of this NAL unit
    this.fu.push(Buffer.from(data));
    this.fuBytes += data.length;
    if (this.fuBytes > this.maxFrameBytes) return false;
    if (!end) return true;
    const nalu = Buffer.concat(this.fu, this.fuBytes);
    this.fu = null;
    return this.add(nalu);
  }

  private flush(out: RtpFrame[]) {
    if (!this.broken && this.nalus.length > 0 && this.ts !== null) {
      out.push({ timestamp: this.ts, units: this.nalus, keyframe: this.nalus.some((n) => this.isKeyframe(n)) });
    }
    this.nalus = [];
    this.bytes = 0;
    this.broken = false;
    this.fu = null;
  }
}

function checkMtu(mtu: number, min: number) {
  if (!Number.isInteger(mtu) || mtu < min || mtu > 65000) throw new RtpError(RtpErrorCode.BAD_INPUT, `MTU ${mtu} is out of range`);
}

/**
 * Shared packetizer for H.264 and H.265: NAL units that fit are aggregated (STAP-A / AP) while
 * the packet stays under `mtu`; larger ones are fragmented (FU-A / FU).
 */
export function packetizeNalUnits(
  nalus: readonly Buffer[],
  mtu: number,
  codec: { headerBytes: number; aggregate(group: Buffer[]): Buffer; fragment(nalu: Buffer, mtu: number): Buffer[] },
): RtpOutPayload[] {
  checkMtu(mtu, codec.headerBytes + 3);
  const payloads: Buffer[] = [];
  let group: Buffer[] = [];
  let groupBytes = codec.headerBytes;
  const flush = () => {
    if (group.length === 1) payloads.push(group[0]!);
    else if (group.length > 1) payloads.push(codec.aggregate(group));
    group = [];
    groupBytes = codec.headerBytes;
  };
  for (const nalu of nalus) {
    if (nalu.length < codec.headerBytes) continue;
    if (nalu.length > mtu) {
      flush();
      payloads.push(...codec.fragment(nalu, mtu));
      continue;
    }
    if (groupBytes + 2 + nalu.length > mtu) flush();
    group.push(nalu);
    groupBytes += 2 + nalu.length;
  }
  flush();
  return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1, timestampOffset: 0 }));
}

export function lengthPrefixed(head: Buffer, group: Buffer[]): Buffer {
  const parts: Buffer[] = [head];
  for (const n of group) {
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(n.length);
    parts.push(len, n);
  }
  return Buffer.concat(parts);
}

export function fragments(nalu: Buffer, headerBytes: number, mtu: number, header: (start: boolean, end: boolean) => Buffer): Buffer[] {
  const out: Buffer[] = [];
  const body = nalu.subarray(headerBytes);
  const head0 = header(true, false);
  const chunk = mtu - head0.length;
  for (let o = 0; o < body.length; o += chunk) {
    const end = o + chunk >= body.length;
    out.push(Buffer.concat([header(o === 0, end), body.subarray(o, o + chunk)]));
  }
  return out;
}

export function splitBase64List(value: string | undefined): Buffer[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z0-9+/_-]+=*$/.test(s))
    .map((s) => Buffer.from(s, 'base64'))
    .filter((b) => b.length > 0);
}
