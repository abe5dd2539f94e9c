/**
 * One outgoing track of a WebRTC session: hub frames → RTP payloads (the packetizers of
 * @argus/protocols) → werift's RTCRtpSender, which adds SSRC and payload type, keeps the NACK
 * history (and answers NACKs from it) and encrypts.
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
import type { MediaFrame, VideoTrack } from '../../hub/index.js';
import { withParameterSets } from '../rtsp/rtp-sender.js';

export type OutCodec = 'H264' | 'H265' | 'OPUS' | 'PCMU' | 'PCMA';

const MTU = 1200;

export class RtpOut {
  private seq = randomInt(0, 0x8000);
  private offset = randomInt(0, 0x7fffffff);
  private last: number | null = null;
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

  /** Sends one frame; `video` (the track now) supplies parameter sets for keyframes that lack them. */
  send(frame: MediaFrame, o: { burst?: boolean; video?: VideoTrack } = {}): void {
    const payloads = this.payloads(frame, o.video);
    if (!payloads.length) return;
    const ts = this.stamp(frame.pts, o.burst ?? false);
    this.frames++;
    for (const p of payloads) {
      const header = new RtpHeader({ payloadType: 0, sequenceNumber: this.seq, timestamp: (ts + p.timestampOffset) >>> 0, marker: p.marker });
      this.seq = (this.seq + 1) & 0xffff;
      this.packets++;
      this.bytes += p.payload.length;
      void this.sender.sendRtp(new RtpPacket(header, p.payload)).catch(() => undefined);
    }
  }

  /** Makes the next burst start right after what was sent (the join burst ends at `endMs`). */
  primeBurst(endMs: number, frames: number): void {
    if (this.last !== null) return;
    this.last = Math.round((endMs * this.rate) / 1000) + this.offset - frames;
  }

  private payloads(frame: MediaFrame, video: VideoTrack | undefined): RtpOutPayload[] {
    const unit = frame.units[0];
    switch (this.codec) {
      case 'H264':
        return packetizeRtpH264(frame.keyframe && video ? withParameterSets(video, frame.units) : frame.units, MTU);
      case 'H265':
        return packetizeRtpH265(frame.keyframe && video ? withParameterSets(video, frame.units) : frame.units, MTU);
      case 'OPUS':
        return unit && unit.length ? packetizeRtpOpus(unit) : [];
      case 'PCMU':
      case 'PCMA':
        return unit && unit.length ? packetizeRtpG711(unit, this.channels, MTU) : [];
    }
  }
}
