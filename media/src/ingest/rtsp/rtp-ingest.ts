/**
 * RTP packets of a publisher or a pulled camera → hub frames. Per track: depacketize, unwrap the
 * 32-bit timestamps, convert to ms (tracks aligned by the wall clock at their first packet),
 * estimate a never-decreasing dts for video with B-frames, and keep the parameter sets current.
 * Nothing is pushed until every track is fully described (video parameter sets from the SDP
 * or in-band), so the stream becomes ready with all its tracks at once.
 */
import { RtpTimestampUnwrapper, parseRtpPacket } from '@argus/protocols';
import type { Stream, Tracks, VideoTrack } from '../../hub/index.js';
import type { IngestTrack } from './ingest-tracks.js';
import { videoSize } from './video-size.js';

/**
 * RTP carries presentation times only. dts = max(previous dts, pts - reorder delay), where the
 * delay is the largest backward pts step seen (capped at 1 s): never decreasing, and ≤ pts once
 * the first reordered frame has been seen.
 */
export class DtsEstimator {
  private maxPts = -Infinity;
  private delay = 0;
  private last = -Infinity;

  next(pts: number): number {
    const back = this.maxPts - pts;
    if (back > 0 && back <= 1000) this.delay = Math.max(this.delay, back);
    this.maxPts = Math.max(this.maxPts, pts);
    this.last = Math.max(this.last, pts - this.delay);
    return this.last;
  }
}

interface TrackState {
  spec: IngestTrack;
  unwrap: RtpTimestampUnwrapper;
  first: { ext: number; ms: number } | null;
  dts: DtsEstimator;
}

export interface RtpIngestOptions {
  /** Date.now() that media time 0 stands for (default: now). Share it across reconnects. */
  wallOrigin?: number;
  /** Timestamps are shifted so the first frame is at least here (continuity across reconnects). */
  notBeforeMs?: number;
}

const PARAMETER_TYPES = { H264: [7, 8], H265: [32, 33, 34] } as const;

export class RtpIngest {
  private readonly states: TrackState[];
  private readonly wallOrigin: number;
  private shift: number | null = null;
  private described = false;
  packetsIn = 0;
  badPackets = 0;
  /** Largest dts pushed so far (ms). */
  lastDts = -Infinity;
  lastPacketAt = 0;

  constructor(private readonly stream: Stream, tracks: readonly IngestTrack[], private readonly options: RtpIngestOptions = {}) {
    this.wallOrigin = options.wallOrigin ?? Date.now();
    this.states = tracks.map((spec) => ({ spec: { ...spec, track: { ...spec.track } }, unwrap: new RtpTimestampUnwrapper(), first: null, dts: new DtsEstimator() }));
  }

  /** One RTP packet of track `index` (its position in the tracks given to the constructor). */
  receive(index: number, data: Buffer): void {
    const st = this.states[index];
    if (!st || this.stream.closed) return;
    let packet;
    try {
      packet = parseRtpPacket(data);
    } catch {
      this.badPackets++;
      return;
    }
    if (packet.payloadType !== st.spec.payloadType) return;
    this.packetsIn++;
    this.lastPacketAt = Date.now();
    for (const f of st.spec.depacketizer.push(packet)) {
      const ext = st.unwrap.unwrap(f.timestamp);
      st.first ??= { ext, ms: Date.now() - this.wallOrigin };
      let pts = st.first.ms + ((ext - st.first.ext) * 1000) / st.spec.clockRate;
      this.shift ??= Math.max(0, (this.options.notBeforeMs ?? -Infinity) - pts);
      pts += this.shift;
      const track = st.spec.track;
      if (track.kind === 'video') this.updateParameterSets(track, f.units);
      if (!this.described && !this.describe()) continue;
      const dts = st.dts.next(pts);
      this.lastDts = Math.max(this.lastDts, dts);
      this.stream.push({ kind: track.kind, pts: Math.max(pts, dts), dts, keyframe: f.keyframe, units: f.units });
    }
  }

  private updateParameterSets(track: VideoTrack, units: Buffer[]) {
    const types: readonly number[] = PARAMETER_TYPES[track.codec];
    const typeOf = (n: Buffer) => (track.codec === 'H264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
    const found = units.filter((u) => u.length > 1 && types.includes(typeOf(u)));
    if (found.length === 0) return;
    const next = types.map((t) => found.find((u) => typeOf(u) === t) ?? track.parameterSets.find((u) => typeOf(u) === t)).filter((u): u is Buffer => !!u);
    const same = next.length === track.parameterSets.length && next.every((u, i) => u.equals(track.parameterSets[i]!));
    if (same) return;
    track.parameterSets = next;
    Object.assign(track, videoSize(track.codec, next) ?? {});
    if (this.described && this.complete(track)) this.stream.setTracks({ video: { ...track } });
  }

  private complete(track: VideoTrack): boolean {
    const typeOf = (n: Buffer) => (track.codec === 'H264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
    return PARAMETER_TYPES[track.codec].every((t) => track.parameterSets.some((u) => typeOf(u) === t));
  }

  /** Sets the stream's tracks once all are described; false while video parameter sets are missing. */
  private describe(): boolean {
    const tracks: Tracks = {};
    for (const st of this.states) {
      const t = st.spec.track;
      if (t.kind === 'video') {
        if (!this.complete(t)) return false;
        tracks.video = { ...t, ...(videoSize(t.codec, t.parameterSets) ?? {}) };
      } else tracks.audio = { ...t };
    }
    this.described = true;
    this.stream.setTracks(tracks);
    return true;
  }
}
