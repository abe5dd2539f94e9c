/**
 * One track of a playing RTSP session: hub frames → RTP packets (and RTCP sender reports), with a
 * random SSRC, sequence start and timestamp base. Timestamps are the frame's pts on the track's
 * clock, relative to the first frame of the session, so audio and video stay in step.
 */
import { randomBytes } from 'node:crypto';
import {
  RtpPacketWriter, buildRtcpSenderReport, packetizeRtpAac, packetizeRtpG711, packetizeRtpH264, packetizeRtpH265, packetizeRtpOpus,
  type RtpOutPayload,
} from '@argus/protocols';
import type { AudioTrack, MediaFrame, VideoTrack } from '../../hub/index.js';
import { VIDEO_PT, audioPayloadType, clockRate } from './sdp-from-tracks.js';

const random32 = () => randomBytes(4).readUInt32BE(0);

/** The session-wide mapping of media time to wall clock (shared by its tracks). */
export interface MediaClock {
  /** pts (ms) of the first frame sent. */
  originMs: number;
  /** Date.now() when it was sent. */
  originWall: number;
}

export class RtpTrackSender {
  readonly writer: RtpPacketWriter;
  readonly clock: number;
  readonly base = random32();
  private lastReport = 0;

  constructor(private readonly track: VideoTrack | AudioTrack, readonly mtu = 1400) {
    this.clock = clockRate(track);
    const pt = track.kind === 'video' ? VIDEO_PT : audioPayloadType(track);
    this.writer = new RtpPacketWriter(pt, random32(), random32() & 0x7fff);
  }

  /** The RTP timestamp of media time `ms`. */
  rtpTime(ms: number, clock: MediaClock): number {
    return (this.base + Math.round(((ms - clock.originMs) * this.clock) / 1000)) >>> 0;
  }

  /** Serialized RTP packets of one frame ([] for frames this track cannot carry). */
  packets(frame: MediaFrame, clock: MediaClock): Buffer[] {
    const payloads = this.payloads(frame);
    return payloads.length ? this.writer.write(payloads, this.rtpTime(frame.pts, clock)) : [];
  }

  /** A sender report when one is due (first packet, then every 5 s). */
  reportIfDue(clock: MediaClock, now = Date.now()): Buffer | null {
    if (this.writer.packetCount === 0 || now - this.lastReport < 5000) return null;
    this.lastReport = now;
    const mediaMs = clock.originMs + (now - clock.originWall);
    return buildRtcpSenderReport({
      ssrc: this.writer.ssrc, ntpTimeMs: now, rtpTimestamp: this.rtpTime(mediaMs, clock),
      packetCount: this.writer.packetCount, octetCount: this.writer.octetCount,
    });
  }

  private payloads(frame: MediaFrame): RtpOutPayload[] {
    const t = this.track;
    const unit = frame.units[0];
    if (t.kind === 'video') {
      const units = frame.keyframe ? withParameterSets(t, frame.units) : frame.units;
      return t.codec === 'H264' ? packetizeRtpH264(units, this.mtu) : packetizeRtpH265(units, this.mtu);
    }
    if (!unit || unit.length === 0) return [];
    switch (t.codec) {
      case 'AAC':
        return unit.length <= 8191 ? packetizeRtpAac(unit, this.mtu) : [];
      case 'PCMA':
      case 'PCMU':
        return packetizeRtpG711(unit, t.channels, this.mtu);
      case 'OPUS':
        return packetizeRtpOpus(unit);
      default:
        return [];
    }
  }
}

/** Puts the parameter sets in front of a keyframe that lacks them (players joining mid-stream need them). */
export function withParameterSets(t: VideoTrack, units: Buffer[]): Buffer[] {
  const typeOf = (n: Buffer) => (t.codec === 'H264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
  const spsType = t.codec === 'H264' ? 7 : 33;
  if (units.some((u) => u.length > 0 && typeOf(u) === spsType) || t.parameterSets.length === 0) return units;
  const audType = t.codec === 'H264' ? 9 : 35;
  const first = units[0];
  if (first && first.length > 0 && typeOf(first) === audType) return [first, ...t.parameterSets, ...units.slice(1)];
  return [...t.parameterSets, ...units];
}
