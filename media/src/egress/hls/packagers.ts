/** Frames → bytes for the two HLS flavours: MPEG-TS segments and fMP4 (init + moof/mdat parts). */
import {
  TsMuxer, buildInitSegment, buildFragment, buildAvcDecoderConfig, buildHevcDecoderConfig, parseH264Sps, parseH265Sps,
  joinLengthPrefixed, h264NalType, h265NalType, AAC_FRAME_SAMPLES, type Mp4Track, type Mp4Sample,
} from '@argus/protocols';
import type { AudioTrack, MediaFrame, Tracks, VideoTrack } from '../../hub/index.js';
import type { Packager } from './segmenter.js';

/** The tracks an HLS packager can carry (H.264/H.265 video, AAC audio); the rest is left out. */
export function hlsTracks(tracks: Tracks): { video?: VideoTrack; audio?: AudioTrack } {
  const video = tracks.video && (tracks.video.codec === 'H264' || tracks.video.codec === 'H265') ? tracks.video : undefined;
  const audio = tracks.audio?.codec === 'AAC' ? tracks.audio : undefined;
  return { ...(video ? { video } : {}), ...(audio ? { audio } : {}) };
}

const ticks90k = (ms: number) => Math.round(ms * 90);

export class TsPackager implements Packager {
  readonly init = null;
  private readonly mux: TsMuxer;
  private chunks: Buffer[] = [];

  constructor(private readonly tracks: { video?: VideoTrack; audio?: AudioTrack }) {
    this.mux = new TsMuxer({
      ...(tracks.video ? { video: { codec: tracks.video.codec as 'H264' | 'H265', parameterSets: tracks.video.parameterSets } } : {}),
      ...(tracks.audio ? { audio: { codec: 'AAC', sampleRate: tracks.audio.sampleRate, channels: tracks.audio.channels, ...(tracks.audio.config ? { config: tracks.audio.config } : {}) } } : {}),
    });
  }

  add(f: MediaFrame, t: number): void {
    if (f.kind === 'video' ? !this.tracks.video : !this.tracks.audio || !f.units[0]) return;
    if (!this.chunks.length) this.chunks.push(this.mux.tables());
    if (f.kind === 'video') this.chunks.push(this.mux.video({ dts: ticks90k(t), pts: ticks90k(t + f.pts - f.dts), keyframe: f.keyframe, units: f.units }));
    else this.chunks.push(this.mux.audio(ticks90k(t), f.units[0]!));
  }

  flush(): Buffer | null {
    const out = this.chunks.length ? Buffer.concat(this.chunks) : null;
    this.chunks = [];
    return out;
  }
}

interface Pending {
  t: number;
  cto: number;
  sync: boolean;
  data: Buffer;
}

export class Fmp4Packager implements Packager {
  readonly init: Buffer;
  private readonly videoId: number;
  private readonly audioId: number;
  private sequence = 1;
  private video: Pending[] = [];
  private audio: Pending[] = [];

  constructor(private readonly tracks: { video?: VideoTrack; audio?: AudioTrack }) {
    const mp4: Mp4Track[] = [];
    this.videoId = tracks.video ? 1 : 0;
    this.audioId = tracks.audio ? (tracks.video ? 2 : 1) : 0;
    if (tracks.video) mp4.push(videoTrack(tracks.video, this.videoId));
    if (tracks.audio) {
      const a = tracks.audio;
      if (!a.config?.length) throw new Error('AAC track without an AudioSpecificConfig');
      mp4.push({ kind: 'audio', id: this.audioId, codec: 'AAC', timescale: a.sampleRate, sampleRate: a.sampleRate, channels: a.channels, config: a.config });
    }
    this.init = buildInitSegment(mp4);
  }

  add(f: MediaFrame, t: number): void {
    if (f.kind === 'video' && this.tracks.video) {
      const h264 = this.tracks.video.codec === 'H264';
      // parameter sets live in the init segment; AUDs are not wanted in MP4 samples
      const units = f.units.filter((u) => {
        const type = h264 ? h264NalType(u) : h265NalType(u);
        return u.length > 0 && (h264 ? type !== 7 && type !== 8 && type !== 9 : type < 32 || type > 35);
      });
      this.video.push({ t, cto: f.pts - f.dts, sync: f.keyframe, data: joinLengthPrefixed(units) });
    } else if (f.kind === 'audio' && this.tracks.audio && f.units[0]) {
      this.audio.push({ t, cto: 0, sync: true, data: f.units[0] });
    }
  }

  flush(end: number): Buffer | null {
    if (!this.video.length && !this.audio.length) return null;
    const runs = [];
    if (this.video.length) runs.push({ trackId: this.videoId, ...samples(this.video, end, 90000, 3600) });
    if (this.audio.length) runs.push({ trackId: this.audioId, ...samples(this.audio, Number.NaN, this.tracks.audio!.sampleRate, AAC_FRAME_SAMPLES) });
    this.video = [];
    this.audio = [];
    return buildFragment(this.sequence++, runs);
  }
}

/** Sample durations from the decode times (the last one runs to `end`, or lasts `fallback` ticks). */
function samples(list: Pending[], end: number, timescale: number, fallback: number): { baseDecodeTime: number; samples: Mp4Sample[] } {
  const at = (ms: number) => Math.round((ms * timescale) / 1000);
  const out: Mp4Sample[] = list.map((s, i) => {
    const next = list[i + 1];
    const until = next ? at(next.t) : Number.isFinite(end) && end > s.t ? at(end) : at(s.t) + fallback;
    return { duration: Math.max(0, until - at(s.t)), sync: s.sync, compositionOffset: at(s.cto), data: s.data };
  });
  return { baseDecodeTime: at(list[0]!.t), samples: out };
}

function videoTrack(v: VideoTrack, id: number): Mp4Track {
  const type = (u: Buffer) => (v.codec === 'H264' ? h264NalType(u) : h265NalType(u));
  const sets = (t: number) => v.parameterSets.filter((u) => type(u) === t);
  let width = v.width ?? 0;
  let height = v.height ?? 0;
  if (v.codec === 'H264') {
    const sps = sets(7);
    if (!width && sps[0]) ({ width, height } = parseH264Sps(sps[0]));
    return { kind: 'video', id, codec: 'H264', timescale: 90000, width, height, config: buildAvcDecoderConfig(sps, sets(8)) };
  }
  const sps = sets(33);
  if (!width && sps[0]) ({ width, height } = parseH265Sps(sps[0]));
  return { kind: 'video', id, codec: 'H265', timescale: 90000, width, height, config: buildHevcDecoderConfig(sets(32), sps, sets(34)) };
}
