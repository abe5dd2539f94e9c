/**
 * One outgoing track of a WebRTC session: hub frames → RTP payloads → the session's SRTP.
 *
 * Payloads are made once per frame for every viewer of a stream (`WEBRTC_RTP`, a shared format
 * of the hub: the @argus/protocols packetizers at a 1200-byte MTU); a session only writes its own
 * header (SSRC, sequence number, timestamp) in front of them. Packets go out through TrackSender
 * (srtp-out.ts: one Buffer per packet, NACK history, sender-report bookkeeping per frame), or
 * through werift's RTCRtpSender.sendRtp when the sender adds header extensions (talk sessions).
 *
 * Timestamps: the frame's pts on the codec clock, plus an offset that only grows, so the RTP
 * timestamps never go back. `burst` frames (a GOP replayed from the cache on join or on a picture
 * loss) are stamped one tick apart just after the last timestamp sent: the player decodes them at
 * once and shows the newest picture, instead of replaying a second of old video in real time.
 */
import { randomInt } from 'node:crypto';
import { RtpHeader, RtpPacket, type RTCRtpSender } from 'werift';
import {
  packetizeRtpG711, packetizeRtpH264, packetizeRtpH265, packetizeRtpOpus, type RtpOutPayload,
} from '@argus/protocols';
import type { FrameEncoder, MediaFrame, SharedFormat, Stream, VideoTrack } from '../../hub/index.js';
import { withParameterSets } from '../rtsp/rtp-sender.js';
import { TrackSender } from './srtp-out.js';

export type OutCodec = 'H264' | 'H265' | 'OPUS' | 'PCMU' | 'PCMA';

const MTU = 1200;

/** The RTP payloads of a frame (empty when WebRTC cannot carry it as is, e.g. AAC). */
export function webrtcPayloads(frame: MediaFrame, codec: string, o: { video?: VideoTrack | undefined; channels?: number } = {}): RtpOutPayload[] {
  const unit = frame.units[0];
  const video = o.video;
  switch (codec) {
    case 'H264':
      return packetizeRtpH264(frame.keyframe && video ? withParameterSets(video, frame.units) : frame.units, MTU);
    case 'H265':
      return packetizeRtpH265(frame.keyframe && video ? withParameterSets(video, frame.units) : frame.units, MTU);
    case 'OPUS':
      return unit && unit.length ? packetizeRtpOpus(unit) : [];
    case 'PCMU':
    case 'PCMA':
      return unit && unit.length ? packetizeRtpG711(unit, o.channels ?? 1, MTU) : [];
    default:
      return [];
  }
}

class WebRtcPayloadEncoder implements FrameEncoder<RtpOutPayload[]> {
  constructor(private readonly stream: Stream) {}

  encode(frame: MediaFrame): RtpOutPayload[] | null {
    const track = this.stream.tracks[frame.kind];
    if (!track) return null;
    const payloads = track.kind === 'video'
      ? webrtcPayloads(frame, track.codec, { video: track })
      : webrtcPayloads(frame, track.codec, { channels: track.channels });
    return payloads.length ? payloads : null;
  }
}

/** WebRTC RTP payloads, made once per frame for all the stream's WebRTC viewers. */
export const WEBRTC_RTP: SharedFormat<RtpOutPayload[], WebRtcPayloadEncoder> = { name: 'webrtc-rtp', encoder: (stream) => new WebRtcPayloadEncoder(stream) };

export class RtpOut {
  /** Extended sequence number of the next packet (rollover counter × 65536 + sequence number). */
  private index = randomInt(0, 0x8000);
  private offset = randomInt(0, 0x7fffffff);
  private last: number | null = null;
  private readonly fast: TrackSender;
  readonly rate: number;
  packets = 0;
  bytes = 0;
  frames = 0;

  constructor(
    private readonly sender: RTCRtpSender,
    readonly codec: OutCodec,
    private readonly channels = 1,
  ) {
    this.rate = codec === 'H264' || codec === 'H265' ? 90000 : codec === 'OPUS' ? 48000 : 8000;
    this.fast = TrackSender.for(sender);
  }

  /** Packets resent on NACKs (the fast path's count; werift's is in its sender stats). */
  get retransmitted(): number {
    return this.fast.retransmitted;
  }

  /** The timestamp the frame goes out with (see the module comment). */
  private stamp(ms: number, burst: boolean): number {
    if (burst && this.last !== null) return (this.last = this.last + 1);
    let t = Math.round((ms * this.rate) / 1000) + this.offset;
    if (this.last !== null && t <= this.last) {
      this.offset += this.last + 1 - t;
      t = this.last + 1;
    }
    return (this.last = t);
  }

  /**
   * Sends one frame: `payloads` are its shared payloads (WEBRTC_RTP, null: nothing to send) when the caller has them;
   * `video` (the track now) supplies parameter sets for keyframes that lack them.
   */
  send(frame: MediaFrame, o: { burst?: boolean; video?: VideoTrack; payloads?: RtpOutPayload[] | null } = {}): void {
    const payloads = o.payloads !== undefined ? o.payloads ?? [] : webrtcPayloads(frame, this.codec, { video: o.video, channels: this.channels });
    if (!payloads.length) return;
    const ts = this.stamp(frame.pts, o.burst ?? false);
    this.frames++;
    const fast = this.fast.usable ? this.fast : null;
    for (const p of payloads) {
      const t = (ts + p.timestampOffset) >>> 0;
      if (fast) fast.packet(p.payload, this.index, t, p.marker);
      else {
        const header = new RtpHeader({ payloadType: 0, sequenceNumber: this.index & 0xffff, timestamp: t, marker: p.marker });
        void this.sender.sendRtp(new RtpPacket(header, p.payload)).catch(() => undefined);
      }
      this.index++;
      this.packets++;
      this.bytes += p.payload.length;
    }
    fast?.frameSent();
  }

  /** Makes the next burst start right after what was sent (the join burst ends at `endMs`). */
  primeBurst(endMs: number, frames: number): void {
    if (this.last !== null) return;
    this.last = Math.round((endMs * this.rate) / 1000) + this.offset - frames;
  }
}
