import { FlvFrameReader, parseScriptBody, type FlvReadResult, type RtmpMessage } from '@argus/protocols';
import type { AudioTrack, Stream, VideoTrack } from '../../hub/index.js';

/**
 * One RTMP publish: FLV bodies of the audio/video messages become hub tracks and frames.
 * RTMP timestamps (32-bit ms, per track) are unwrapped and kept from going back.
 */
export class RtmpPublisher {
  private readonly frames = new FlvFrameReader();
  private readonly videoClock = new TrackClock();
  private readonly audioClock = new TrackClock();
  private metaSize: { width?: number; height?: number } = {};

  constructor(readonly stream: Stream, readonly streamId: number) {}

  /** Handles an audio (8), video (9) or data (18) message; throws FlvError on a malformed body. */
  onMessage(msg: RtmpMessage): void {
    if (msg.typeId === 9) this.apply(this.frames.video(msg.payload, this.videoClock.dts(msg.timestamp)));
    else if (msg.typeId === 8) {
      const g711 = this.frames.g711Track(msg.payload);
      if (g711) this.stream.setTracks({ audio: g711 });
      this.apply(this.frames.audio(msg.payload, this.audioClock.dts(msg.timestamp)));
    } else if (msg.typeId === 18 || msg.typeId === 15) this.onData(msg.payload);
  }

  close(reason: string): void {
    this.stream.close(reason);
  }

  private apply(r: FlvReadResult) {
    if (r.kind === 'frame') {
      const track = r.frame.kind === 'video' ? this.stream.tracks.video : this.stream.tracks.audio;
      if (track) this.stream.push(r.frame);
    } else if (r.kind === 'track') {
      if (r.track.kind === 'video') {
        const video: VideoTrack = { ...r.track, width: r.track.width ?? this.metaSize.width, height: r.track.height ?? this.metaSize.height };
        if (!sameVideo(this.stream.tracks.video, video)) this.stream.setTracks({ video });
      } else if (!sameAudio(this.stream.tracks.audio, r.track)) this.stream.setTracks({ audio: r.track });
    }
  }

  private onData(payload: Buffer) {
    const { name, value } = parseScriptBody(payload);
    if (name !== 'onMetaData' || !value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return;
    const meta = value as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && v > 0 && v < 65536 ? Math.round(v) : undefined);
    this.metaSize = { width: num(meta.width), height: num(meta.height) };
  }
}

class TrackClock {
  private lastRaw = -1;
  private wraps = 0;
  private last = -Infinity;

  dts(raw: number): number {
    if (this.lastRaw >= 0 && raw < this.lastRaw && this.lastRaw - raw > 0x80000000) this.wraps++;
    this.lastRaw = raw;
    const t = Math.max(raw + this.wraps * 0x100000000, this.last);
    this.last = t;
    return t;
  }
}

function sameVideo(a: VideoTrack | undefined, b: VideoTrack): boolean {
  return !!a && a.codec === b.codec && a.parameterSets.length === b.parameterSets.length && a.parameterSets.every((p, i) => p.equals(b.parameterSets[i]!));
}

function sameAudio(a: AudioTrack | undefined, b: AudioTrack): boolean {
  return !!a && a.codec === b.codec && a.sampleRate === b.sampleRate && a.channels === b.channels && !!a.config === !!b.config && (!a.config || a.config.equals(b.config!));
}
