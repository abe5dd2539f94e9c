/**
 * RTP for RTSP players, made once per stream: each track of a stream has one RTP sender (random
 * SSRC, sequence start and timestamp base), every frame becomes its packets once, and every
 * player of the stream sends those same packets (over its TCP connection as interleaved frames,
 * or over UDP). A player starts at a GOP-cache keyframe; RTP-Info tells it the sequence number
 * and RTP time it starts at. Timestamps are the frame's pts on the track's clock, on one
 * timeline for both tracks, so audio and video stay in step.
 */
import { randomBytes } from 'node:crypto';
import {
  RtpPacketWriter, buildRtcpSenderReport, packetizeRtpAac, serializeRtspInterleaved, packetizeRtpG711, packetizeRtpH264, packetizeRtpH265, packetizeRtpOpus,
  type RtpOutPayload,
} from '@argus/protocols';
import { SharedBatch, type AudioTrack, type FrameEncoder, type MediaFrame, type SharedFormat, type Stream, type VideoTrack } from '../../hub/index.js';
import { VIDEO_PT, audioPayloadType, clockRate } from './sdp-from-tracks.js';

const random32 = () => randomBytes(4).readUInt32BE(0);

/** The stream-wide mapping of media time to wall clock (shared by its tracks). */
export interface MediaClock {
  /** A pts (ms)… */
  originMs: number;
  /** …and the Date.now() it corresponds to. */
  originWall: number;
}

/** The RTP stream of one track of a stream. */
export class RtpTrackSender {
  readonly writer: RtpPacketWriter;
  readonly rate: number;
  readonly base = random32();

  constructor(public track: VideoTrack | AudioTrack, readonly mtu = 1400) {
    this.rate = clockRate(track);
    const pt = track.kind === 'video' ? VIDEO_PT : audioPayloadType(track);
    this.writer = new RtpPacketWriter(pt, random32(), random32() & 0x7fff);
  }

  /** The RTP timestamp of media time `ms`. */
  rtpTime(ms: number, clock: MediaClock): number {
    return (this.base + Math.round(((ms - clock.originMs) * this.rate) / 1000)) >>> 0;
  }

  /** Serialized RTP packets of one frame ([] for frames this track cannot carry). */
  packets(frame: MediaFrame, clock: MediaClock): Buffer[] {
    const payloads = this.payloads(frame);
    return payloads.length ? this.writer.write(payloads, this.rtpTime(frame.pts, clock)) : [];
  }

  /** An RTCP sender report for a player that got `packets` packets of `octets` payload bytes. */
  report(clock: MediaClock, packets: number, octets: number, now = Date.now()): Buffer {
    const mediaMs = clock.originMs + (now - clock.originWall);
    return buildRtcpSenderReport({ ssrc: this.writer.ssrc, ntpTimeMs: now, rtpTimestamp: this.rtpTime(mediaMs, clock), packetCount: packets, octetCount: octets });
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

/** The RTP packets of one frame, shared by the stream's players. */
export class RtpFramePackets {
  private tcpBytes: Buffer | null = null;
  private tcpChannel = -1;

  constructor(
    readonly kind: 'video' | 'audio',
    readonly packets: Buffer[],
    /** Payload bytes (for sender reports). */
    readonly octets: number,
    /** Sequence number of the first packet. */
    readonly firstSeq: number,
  ) {}

  /** The packets as `$`-framed interleaved data on `channel` (RFC 2326 §10.12), in one Buffer. */
  interleaved(channel: number): Buffer {
    if (this.tcpBytes && this.tcpChannel === channel) return this.tcpBytes;
    const out = Buffer.concat(this.packets.map((p) => serializeRtspInterleaved(channel, p)));
    // nearly every player takes channels 0-1 for video and 2-3 for audio: keep the first one asked for
    if (!this.tcpBytes) {
      this.tcpBytes = out;
      this.tcpChannel = channel;
    }
    return out;
  }
}

/** Interleaved channels a TCP player receives RTP on: [video, audio] (-1: not set up). */
export type RtpChannels = readonly [number, number];

/** A stream's RTP: one sender per track, the media clock, and the run bytes TCP players share. */
export class RtpEncoder implements FrameEncoder<RtpFramePackets> {
  readonly clock: MediaClock;
  private readonly senders: { video?: RtpTrackSender; audio?: RtpTrackSender } = {};
  private readonly runs: SharedBatch;
  private runChannels: string | null = null;

  constructor(private readonly stream: Stream) {
    // the newest frame is "now" (the GOP-cache frames encoded first are older)
    const gop = stream.currentGop();
    this.clock = { originMs: gop[gop.length - 1]?.pts ?? 0, originWall: Date.now() };
    this.runs = new SharedBatch(stream);
  }

  /** The sender of a track (made on first use; a track whose codec changes gets a new one). */
  sender(kind: 'video' | 'audio', track: VideoTrack | AudioTrack): RtpTrackSender {
    const s = this.senders[kind];
    if (s && sameCodec(s.track, track)) {
      s.track = track; // new parameter sets, same RTP stream
      return s;
    }
    return (this.senders[kind] = new RtpTrackSender(track));
  }

  senderOf(kind: 'video' | 'audio'): RtpTrackSender | undefined {
    return this.senders[kind];
  }

  encode(frame: MediaFrame): RtpFramePackets | null {
    const track = this.stream.tracks[frame.kind];
    if (!track) return null;
    const sender = this.sender(frame.kind, track);
    const firstSeq = sender.writer.sequenceNumber;
    const packets = sender.packets(frame, this.clock);
    if (packets.length === 0) return null;
    let octets = 0;
    for (const p of packets) octets += p.length - 12;
    return new RtpFramePackets(frame.kind, packets, octets, firstSeq);
  }

  /**
   * The interleaved bytes of the wake-up's run for a player that keeps up and uses the same
   * channels as the first such player (else null: it writes each frame's own bytes).
   */
  runBytes(frames: readonly MediaFrame[], channels: RtpChannels): Buffer | null {
    const key = `${channels[0]},${channels[1]}`;
    this.runChannels ??= key;
    if (key !== this.runChannels) return null;
    return this.runs.get(frames, (run) => {
      const parts: Buffer[] = [];
      for (const f of run) {
        const ch = f.kind === 'video' ? channels[0] : channels[1];
        const p = ch >= 0 ? this.stream.encoded(RTP_FORMAT, f) : null;
        if (p) parts.push(p.interleaved(ch));
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    });
  }
}

export const RTP_FORMAT: SharedFormat<RtpFramePackets, RtpEncoder> = { name: 'rtp', encoder: (stream) => new RtpEncoder(stream) };

function sameCodec(a: VideoTrack | AudioTrack, b: VideoTrack | AudioTrack): boolean {
  if (a.kind !== b.kind || a.codec !== b.codec) return false;
  if (a.kind === 'audio' && b.kind === 'audio') return a.sampleRate === b.sampleRate && a.channels === b.channels;
  return true;
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
