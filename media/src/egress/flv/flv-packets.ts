/**
 * FLV packets shared by every FLV, WS-FLV and RTMP player of a stream: each frame's tag body is
 * made once, with a timestamp on the stream's own timeline (ms since its first frame), and from
 * it, on first use, the FLV tag bytes and the RTMP chunk bytes. Players start at a GOP-cache
 * keyframe, so the first timestamp a player sees is where the stream is, not 0.
 */
import {
  FlvTagType, RtmpChunkStream, RtmpMessageType, audioFrameBody, audioSequenceBody, encodeFlvTag, encodeRtmpChunks,
  metadataBody, videoFrameBody, videoSequenceBody, type FlvTag,
} from '@argus/protocols';
import { SharedBatch, type AudioTrack, type FrameEncoder, type MediaFrame, type SharedFormat, type Stream, type Tracks, type VideoTrack } from '../../hub/index.js';

export class FlvPacket {
  private tagBytes: Buffer | null = null;
  private rtmpBytes: Buffer | null = null;
  private rtmpKey = 0;

  constructor(
    readonly type: typeof FlvTagType.VIDEO | typeof FlvTagType.AUDIO,
    /** ms on the stream's timeline. */
    readonly timestamp: number,
    readonly body: Buffer,
    /** The track the frame belongs to: a player sends new sequence headers when it changes. */
    readonly track: VideoTrack | AudioTrack,
  ) {}

  /** The FLV tag and its PreviousTagSize. */
  get tag(): Buffer {
    return (this.tagBytes ??= encodeFlvTag({ type: this.type, timestamp: this.timestamp, data: this.body }));
  }

  /** The RTMP message chunks (format 0 header) for a player's message stream and chunk size. */
  rtmp(streamId: number, chunkSize: number): Buffer {
    const key = streamId * 0x10000 + chunkSize;
    if (this.rtmpBytes && this.rtmpKey === key) return this.rtmpBytes;
    const bytes = encodeRtmpChunks(
      { csid: this.type === FlvTagType.VIDEO ? RtmpChunkStream.VIDEO : RtmpChunkStream.AUDIO, typeId: this.type, streamId, timestamp: this.timestamp, payload: this.body },
      chunkSize,
    );
    // nearly every player has message stream 1 and our chunk size: keep the first one asked for
    if (!this.rtmpBytes) {
      this.rtmpBytes = bytes;
      this.rtmpKey = key;
    }
    return bytes;
  }
}

/** ms on the stream's timeline (FLV and RTMP timestamps are unsigned 32-bit). */
export function streamTimestamp(stream: Stream, dts: number): number {
  return Math.max(0, Math.round(dts - (stream.epochMs ?? dts))) >>> 0;
}

/** A stream's FLV encoder, and the batch bytes its players share. */
export class FlvEncoder implements FrameEncoder<FlvPacket> {
  /** FLV tags of the run of frames players that keep up take (HTTP-FLV). */
  private readonly tags: SharedBatch;
  /** The same as RTMP chunks, for the first message stream id and chunk size players used. */
  private readonly rtmp: SharedBatch;
  private rtmpKey: number | null = null;

  constructor(private readonly stream: Stream) {
    this.tags = new SharedBatch(stream);
    this.rtmp = new SharedBatch(stream);
  }

  encode(frame: MediaFrame): FlvPacket | null {
    const stream = this.stream;
    const timestamp = streamTimestamp(stream, frame.dts);
    if (frame.kind === 'video') {
      const video = stream.tracks.video;
      if (!video || (video.codec !== 'H264' && video.codec !== 'H265')) return null;
      return new FlvPacket(FlvTagType.VIDEO, timestamp, videoFrameBody(frame, video.codec), video);
    }
    const audio = stream.tracks.audio;
    const body = audio ? audioFrameBody(frame, audio) : null;
    return body ? new FlvPacket(FlvTagType.AUDIO, timestamp, body, audio!) : null;
  }

  /** The FLV tags of the wake-up's run in one Buffer, for a player taking exactly that run; else null. */
  tagBytes(frames: readonly MediaFrame[]): Buffer | null {
    return this.tags.get(frames, (run) => this.join(run, (p) => p.tag));
  }

  /** The same as RTMP chunks, for the first (streamId, chunkSize) asked for; else null. */
  rtmpBytes(frames: readonly MediaFrame[], streamId: number, chunkSize: number): Buffer | null {
    const key = streamId * 0x10000 + chunkSize;
    this.rtmpKey ??= key;
    return key === this.rtmpKey ? this.rtmp.get(frames, (run) => this.join(run, (p) => p.rtmp(streamId, chunkSize))) : null;
  }

  private join(frames: readonly MediaFrame[], bytes: (p: FlvPacket) => Buffer): Buffer {
    const parts: Buffer[] = [];
    for (const f of frames) {
      const p = this.stream.encoded(FLV_FORMAT, f);
      if (p) parts.push(bytes(p));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

export const FLV_FORMAT: SharedFormat<FlvPacket, FlvEncoder> = { name: 'flv', encoder: (stream) => new FlvEncoder(stream) };

/**
 * What one player needs before its first packet and whenever the publisher changes its codec
 * parameters: onMetaData, then the video and audio sequence headers. Small, made per player.
 */
export class FlvPreludes {
  private sentVideo: VideoTrack | undefined;
  private sentAudio: AudioTrack | undefined;
  private started = false;

  constructor(private readonly tracks: () => Tracks) {}

  /** True when nothing needs sending before packets of the current tracks (the player keeps up with them). */
  current(tracks: Tracks): boolean {
    return this.started && tracks.video === this.sentVideo && tracks.audio === this.sentAudio;
  }

  /** Tags to send before `packet` (empty nearly always). */
  before(packet: FlvPacket): FlvTag[] {
    if (this.started && packet.track === (packet.type === FlvTagType.VIDEO ? this.sentVideo : this.sentAudio)) return NOTHING;
    const out: FlvTag[] = [];
    const ts = packet.timestamp;
    if (!this.started) {
      this.started = true;
      out.push({ type: FlvTagType.SCRIPT, timestamp: ts, data: metadataBody(this.tracks()) });
    }
    if (packet.type === FlvTagType.VIDEO && packet.track !== this.sentVideo) {
      this.sentVideo = packet.track as VideoTrack;
      const seq = videoSequenceBody(this.sentVideo);
      if (seq) out.push({ type: FlvTagType.VIDEO, timestamp: ts, data: seq });
      // the first packet is a keyframe; audio's header goes with it, so players set up both at once
      const audio = this.tracks().audio;
      if (audio && !this.sentAudio) out.push(...this.audioHeader(audio, ts));
    } else if (packet.type === FlvTagType.AUDIO && packet.track !== this.sentAudio) {
      out.push(...this.audioHeader(packet.track as AudioTrack, ts));
    }
    return out;
  }

  private audioHeader(audio: AudioTrack, ts: number): FlvTag[] {
    this.sentAudio = audio;
    const seq = audioSequenceBody(audio);
    return seq ? [{ type: FlvTagType.AUDIO, timestamp: ts, data: seq }] : [];
  }
}

const NOTHING: FlvTag[] = [];

/** The RTMP message for a prelude tag (on the player's message stream). */
export function rtmpMessageOf(tag: FlvTag, streamId: number) {
  const csid = tag.type === FlvTagType.VIDEO ? RtmpChunkStream.VIDEO : tag.type === FlvTagType.AUDIO ? RtmpChunkStream.AUDIO : RtmpChunkStream.DATA;
  const typeId = tag.type === FlvTagType.SCRIPT ? RtmpMessageType.DATA_AMF0 : tag.type;
  return { csid, typeId, streamId, timestamp: tag.timestamp, payload: tag.data };
}

/** FLV header flags for a stream's tracks. */
export function flvHeaderFlags(stream: Stream): { hasAudio: boolean; hasVideo: boolean } {
  // FLV carries AAC and G.711; a stream with other audio (Opus from WebRTC) goes out as video only
  const audio = stream.tracks.audio?.codec;
  return { hasAudio: audio === 'AAC' || audio === 'PCMA' || audio === 'PCMU', hasVideo: !!stream.tracks.video };
}
