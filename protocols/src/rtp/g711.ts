/**
 * Payload formats whose RTP payload is the frame itself: G.711 PCMA / PCMU (RFC 3551, one byte
 * per sample and channel; split into MTU-sized chunks with advancing timestamps), L16 (RFC 3551
 * §4.5.11, big-endian 16-bit samples, split the same way) and Opus (RFC 7587, one packet per frame).
 */
import { RtpError, RtpErrorCode } from './errors.js';
import type { RtpDepacketizer, RtpFrame, RtpOutPayload, RtpPacket } from './packet.js';
import { RTP_DEFAULT_MTU } from './nal.js';

export class PassthroughRtpDepacketizer implements RtpDepacketizer {
  dropped = 0;

  push(p: RtpPacket): RtpFrame[] {
    if (p.payload.length === 0) {
      this.dropped++;
      return [];
    }
    return [{ timestamp: p.timestamp, units: [Buffer.from(p.payload)], keyframe: true }];
  }
}

/** RTP payloads of G.711 samples (`channels` bytes per sample period). */
export function packetizeRtpG711(frame: Buffer, channels = 1, mtu = RTP_DEFAULT_MTU): RtpOutPayload[] {
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) throw new RtpError(RtpErrorCode.BAD_INPUT, 'bad channel count');
  if (!Number.isInteger(mtu) || mtu < channels) throw new RtpError(RtpErrorCode.BAD_INPUT, `MTU ${mtu} is out of range`);
  const chunk = mtu - (mtu % channels);
  const out: RtpOutPayload[] = [];
  for (let o = 0; o < frame.length; o += chunk) {
    out.push({ payload: frame.subarray(o, o + chunk), marker: false, timestampOffset: o / channels });
  }
  return out;
}

/** RTP payloads of L16 samples (big-endian, `2 × channels` bytes per sample period). */
export function packetizeRtpL16(frame: Buffer, channels = 1, mtu = RTP_DEFAULT_MTU): RtpOutPayload[] {
  if (!Number.isInteger(channels) || channels < 1 || channels > 8) throw new RtpError(RtpErrorCode.BAD_INPUT, 'bad channel count');
  const period = 2 * channels;
  if (!Number.isInteger(mtu) || mtu < period) throw new RtpError(RtpErrorCode.BAD_INPUT, `MTU ${mtu} is out of range`);
  if (frame.length % period !== 0) throw new RtpError(RtpErrorCode.BAD_INPUT, `L16 frame of ${frame.length} bytes is not whole samples`);
  const chunk = mtu - (mtu % period);
  const out: RtpOutPayload[] = [];
  for (let o = 0; o < frame.length; o += chunk) {
    out.push({ payload: frame.subarray(o, o + chunk), marker: false, timestampOffset: o / period });
  }
  return out;
}

/** An Opus packet is sent as it is. */
export function packetizeRtpOpus(frame: Buffer): RtpOutPayload[] {
  return frame.length ? [{ payload: frame, marker: false, timestampOffset: 0 }] : [];
}
