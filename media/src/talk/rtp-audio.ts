/**
 * Talk audio over RTP, both ways, for the RTSP backchannel server and for device drivers that
 * speak RTP (ONVIF backchannel): the SDP media section of a talk format, the format of an SDP
 * section, and per-direction packetizing / depacketizing of L16, G.711, AAC (mpeg4-generic) and
 * Opus. Static payload types 0/8 for 8 kHz mono G.711, dynamic 97 otherwise.
 */
import { randomBytes } from 'node:crypto';
import {
  AacRtpDepacketizer, PassthroughRtpDepacketizer, RtpPacketWriter, buildAacConfig, packetizeRtpAac, packetizeRtpG711,
  packetizeRtpL16, packetizeRtpOpus, parseRtpPacket, rtpAacFmtp, RtpTimestampUnwrapper, rtpAacParamsFromFmtp, sdpFmtp, sdpRtpMap,
  type RtpDepacketizer, type RtpOutPayload, type SdpMedia,
} from '@argus/protocols';
import type { AudioFormat } from './audio/audio-converter.js';
import type { TalkCodec } from './talk-leg.js';

export interface RtpAudioFormat extends AudioFormat {
  payloadType: number;
}

export const DYNAMIC_AUDIO_PT = 97;

/** The RTP clock of a format (Opus always runs at 48 kHz). */
export const rtpClockRate = (f: AudioFormat) => (f.codec === 'OPUS' ? 48000 : f.sampleRate);

/** The payload type Argus announces for a format. */
export function payloadTypeOf(f: AudioFormat): number {
  if (f.sampleRate === 8000 && f.channels === 1) {
    if (f.codec === 'PCMU') return 0;
    if (f.codec === 'PCMA') return 8;
  }
  return DYNAMIC_AUDIO_PT;
}

function aacConfigOf(f: AudioFormat): Buffer {
  return f.config && f.config.length >= 2 ? f.config : buildAacConfig(2, f.sampleRate, Math.max(1, f.channels));
}

/** An SDP audio section for `f`, with its a=control and direction. */
export function sdpAudioMedia(f: AudioFormat, control: string, direction: 'recvonly' | 'sendonly' | 'sendrecv', pt = payloadTypeOf(f)): SdpMedia {
  const attributes: SdpMedia['attributes'] = [{ name: 'control', value: control }];
  switch (f.codec) {
    case 'PCMU':
    case 'PCMA':
    case 'L16':
      attributes.push({ name: 'rtpmap', value: `${pt} ${f.codec}/${f.sampleRate}${f.channels > 1 ? `/${f.channels}` : ''}` });
      break;
    case 'AAC':
      attributes.push({ name: 'rtpmap', value: `${pt} MPEG4-GENERIC/${f.sampleRate}/${f.channels}` });
      attributes.push({ name: 'fmtp', value: `${pt} ${rtpAacFmtp(aacConfigOf(f))}` });
      break;
    case 'OPUS':
      attributes.push({ name: 'rtpmap', value: `${pt} opus/48000/2` });
      break;
  }
  attributes.push({ name: direction });
  return { type: 'audio', port: 0, protocol: 'RTP/AVP', formats: [String(pt)], bandwidths: [], attributes };
}

const STATIC: Record<number, { codec: TalkCodec; rate: number }> = { 0: { codec: 'PCMU', rate: 8000 }, 8: { codec: 'PCMA', rate: 8000 } };

/** Every format of an SDP audio section Argus can carry, in the section's order of preference. */
export function audioFormatsOf(m: SdpMedia): Array<RtpAudioFormat & { fmtp: Record<string, string> }> {
  if (m.type !== 'audio') return [];
  const out: Array<RtpAudioFormat & { fmtp: Record<string, string> }> = [];
  for (const fmt of m.formats) {
    if (!/^\d{1,3}$/.test(fmt)) continue;
    const pt = Number(fmt);
    const map = sdpRtpMap(m, pt);
    const fmtp = sdpFmtp(m, pt);
    const encoding = map?.encoding.toUpperCase() ?? STATIC[pt]?.codec ?? '';
    const rate = map?.clockRate ?? STATIC[pt]?.rate ?? 0;
    const channels = map?.channels ?? 1;
    if (rate <= 0) continue;
    if (encoding === 'PCMU' || encoding === 'PCMA' || encoding === 'L16') out.push({ codec: encoding, sampleRate: rate, channels, payloadType: pt, fmtp });
    else if (encoding === 'MPEG4-GENERIC') {
      const config = fmtp.config && /^([0-9a-f]{2})+$/i.test(fmtp.config) ? Buffer.from(fmtp.config, 'hex') : undefined;
      out.push({ codec: 'AAC', sampleRate: rate, channels, payloadType: pt, fmtp, ...(config ? { config } : {}) });
    } else if (encoding === 'OPUS') out.push({ codec: 'OPUS', sampleRate: 48000, channels: 1, payloadType: pt, fmtp });
  }
  return out;
}

/** Encoded frames → RTP packets of one stream (random SSRC, sequence and timestamp base). */
export class RtpAudioSender {
  readonly writer: RtpPacketWriter;
  readonly clock: number;
  readonly base = randomBytes(4).readUInt32BE(0);
  private origin: number | null = null;

  constructor(readonly format: RtpAudioFormat, readonly mtu = 1400) {
    this.clock = rtpClockRate(format);
    this.writer = new RtpPacketWriter(format.payloadType, randomBytes(4).readUInt32BE(0), randomBytes(2).readUInt16BE(0) & 0x7fff);
  }

  /** The RTP timestamp of the next packet (for RTP-Info before anything was sent). */
  get nextTimestamp(): number {
    return this.origin === null ? this.base : this.writer.lastTimestamp;
  }

  packets(payload: Buffer, timestampMs: number): Buffer[] {
    if (payload.length === 0) return [];
    this.origin ??= timestampMs;
    const ts = (this.base + Math.round(((timestampMs - this.origin) * this.clock) / 1000)) >>> 0;
    return this.writer.write(this.payloads(payload), ts);
  }

  private payloads(payload: Buffer): RtpOutPayload[] {
    const f = this.format;
    switch (f.codec) {
      case 'PCMU':
      case 'PCMA':
        return packetizeRtpG711(payload, f.channels, this.mtu);
      case 'L16':
        return payload.length % (2 * f.channels) === 0 ? packetizeRtpL16(payload, f.channels, this.mtu) : [];
      case 'AAC':
        return payload.length <= 8191 ? packetizeRtpAac(payload, this.mtu) : [];
      case 'OPUS':
        return packetizeRtpOpus(payload);
    }
  }
}

/** RTP packets of one stream → encoded frames with millisecond timestamps (from the RTP clock). */
export class RtpAudioReceiver {
  private readonly depacketizer: RtpDepacketizer;
  private readonly unwrap = new RtpTimestampUnwrapper();
  private first: number | null = null;
  packets = 0;
  bad = 0;

  constructor(readonly format: RtpAudioFormat, fmtp: Record<string, string> = {}) {
    this.depacketizer = format.codec === 'AAC' ? new AacRtpDepacketizer(rtpAacParamsFromFmtp(fmtp)) : new PassthroughRtpDepacketizer();
  }

  receive(data: Buffer): Array<{ payload: Buffer; timestamp: number }> {
    let packet;
    try {
      packet = parseRtpPacket(data);
    } catch {
      this.bad++;
      return [];
    }
    if (packet.payloadType !== this.format.payloadType) return [];
    this.packets++;
    const clock = rtpClockRate(this.format);
    return this.depacketizer.push(packet).map((f) => {
      const ext = this.unwrap.unwrap(f.timestamp);
      this.first ??= ext;
      return { payload: f.units[0] ?? Buffer.alloc(0), timestamp: ((ext - this.first) * 1000) / clock };
    });
  }
}
