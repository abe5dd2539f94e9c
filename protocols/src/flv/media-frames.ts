import {
  CodecError, isCodecError, joinLengthPrefixed, splitLengthPrefixed,
  parseAvcDecoderConfig, buildAvcDecoderConfig, parseH264Sps, h264NalType, H264NalType,
  parseHevcDecoderConfig, buildHevcDecoderConfig, parseH265Sps, h265NalType, H265NalType,
  parseAacConfig,
} from '../codecs/index.js';
import type { Amf0Value } from '../rtmp/amf0.js';
import { buildAudioBody, parseAudioBody, type FlvAudioCodec } from './audio-body.js';
import { FlvError, FlvErrorCode } from './errors.js';
import { FlvVideoCodecId, buildVideoBody, parseVideoBody, type FlvVideoCodec, type VideoBodyOptions } from './video-body.js';
import { buildScriptBody } from './script-body.js';

/**
 * Conversions between FLV tag bodies (= RTMP audio/video messages) and protocol-neutral frames
 * and tracks. The shapes match the media hub's MediaFrame / VideoTrack / AudioTrack, so hub
 * values can be passed in and the results pushed into the hub as they are.
 */
export interface FlvMediaFrame {
  kind: 'video' | 'audio';
  /** Milliseconds. */
  dts: number;
  /** Milliseconds; video: dts + composition time. */
  pts: number;
  keyframe: boolean;
  /** Video: NAL units without length prefixes. Audio: one raw frame. */
  units: Buffer[];
}

export interface FlvVideoTrack {
  kind: 'video';
  codec: FlvVideoCodec;
  /** H.264: SPS, PPS. H.265: VPS, SPS, PPS. Raw NAL units. */
  parameterSets: Buffer[];
  width?: number;
  height?: number;
}

export interface FlvAudioTrack {
  kind: 'audio';
  codec: FlvAudioCodec;
  sampleRate: number;
  channels: number;
  /** AAC AudioSpecificConfig. */
  config?: Buffer;
}

/** What the writers accept: any track whose codec may or may not be one FLV carries. */
export interface VideoTrackLike {
  codec: string;
  parameterSets: readonly Buffer[];
  width?: number;
  height?: number;
}
export interface AudioTrackLike {
  codec: string;
  sampleRate: number;
  channels: number;
  config?: Buffer;
}

function wrapCodec<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isCodecError(err)) throw new FlvError(FlvErrorCode.BAD_BODY, `${what}: ${(err as CodecError).message}`, { cause: err });
    throw err;
  }
}

/** The video track described by a decoder configuration record (AVC or HEVC). */
export function videoTrackFromConfig(codec: FlvVideoCodec, record: Buffer): FlvVideoTrack & { lengthSize: number } {
  return wrapCodec(`${codec} sequence header`, () => {
    const cfg = codec === 'H264' ? parseAvcDecoderConfig(record) : parseHevcDecoderConfig(record);
    const parameterSets = 'vps' in cfg ? [...cfg.vps, ...cfg.sps, ...cfg.pps] : [...cfg.sps, ...cfg.pps];
    const track: FlvVideoTrack & { lengthSize: number } = {
      kind: 'video', codec, parameterSets: parameterSets.map((p) => Buffer.from(p)), lengthSize: cfg.lengthSize,
    };
    const sps = cfg.sps[0];
    if (sps) {
      try {
        const info = codec === 'H264' ? parseH264Sps(sps) : parseH265Sps(sps);
        track.width = info.width;
        track.height = info.height;
      } catch {
        /* size unknown; the stream still plays */
      }
    }
    return track;
  });
}

/** The decoder configuration record of a video track, or null for codecs FLV does not carry or missing SPS. */
export function videoConfigFromTrack(track: VideoTrackLike): Buffer | null {
  const sets = track.parameterSets;
  try {
    if (track.codec === 'H264') {
      const sps = sets.filter((u) => h264NalType(u) === H264NalType.SPS);
      const pps = sets.filter((u) => h264NalType(u) === H264NalType.PPS);
      return sps.length ? buildAvcDecoderConfig(sps, pps) : null;
    }
    if (track.codec === 'H265') {
      const of = (t: number) => sets.filter((u) => h265NalType(u) === t);
      const sps = of(H265NalType.SPS);
      return sps.length ? buildHevcDecoderConfig(of(H265NalType.VPS), sps, of(H265NalType.PPS)) : null;
    }
  } catch (err) {
    if (isCodecError(err)) return null;
    throw err;
  }
  return null;
}

export function audioTrackFromAacConfig(config: Buffer): FlvAudioTrack {
  return wrapCodec('AAC sequence header', () => {
    const c = parseAacConfig(config);
    return { kind: 'audio', codec: 'AAC', sampleRate: c.extensionSampleRate ?? c.sampleRate, channels: c.channels || 2, config: Buffer.from(config) };
  });
}

export type FlvReadResult =
  | { kind: 'track'; track: FlvVideoTrack | FlvAudioTrack }
  | { kind: 'frame'; frame: FlvMediaFrame }
  | { kind: 'end' }
  | { kind: 'ignored'; reason: string };

/**
 * Reads a stream of FLV audio/video bodies (or RTMP messages) into tracks and frames. Keeps the
 * NAL length size of the current video configuration; frames before a configuration are ignored.
 */
export class FlvFrameReader {
  private lengthSize = 0;
  private videoCodec: FlvVideoCodec | null = null;
  private g711: FlvAudioCodec | null = null;

  video(body: Buffer, timestamp: number): FlvReadResult {
    const p = parseVideoBody(body);
    if (p.codec === null) return { kind: 'ignored', reason: `video codec ${p.fourCc ?? p.codecId} not supported` };
    if (p.packet === 'sequence-start') {
      const track = videoTrackFromConfig(p.codec, p.data);
      this.lengthSize = track.lengthSize;
      this.videoCodec = p.codec;
      const { lengthSize: _, ...plain } = track;
      return { kind: 'track', track: plain };
    }
    if (p.packet === 'sequence-end') return { kind: 'end' };
    if (p.packet !== 'frame') return { kind: 'ignored', reason: 'video info or metadata packet' };
    if (this.videoCodec !== p.codec) return { kind: 'ignored', reason: 'video frame before its sequence header' };
    const units = wrapCodec('video frame', () => splitLengthPrefixed(p.data, this.lengthSize));
    if (units.length === 0) return { kind: 'ignored', reason: 'empty video frame' };
    return {
      kind: 'frame',
      frame: { kind: 'video', dts: timestamp, pts: timestamp + p.cts, keyframe: p.frameType === 1, units: units.map((u) => Buffer.from(u)) },
    };
  }

  audio(body: Buffer, timestamp: number): FlvReadResult {
    const p = parseAudioBody(body);
    if (p.codec === null) return { kind: 'ignored', reason: `sound format ${p.soundFormat} not supported` };
    if (p.packet === 'sequence-start') return { kind: 'track', track: audioTrackFromAacConfig(p.data) };
    if (p.data.length === 0) return { kind: 'ignored', reason: 'empty audio frame' };
    const frame: FlvMediaFrame = { kind: 'audio', dts: timestamp, pts: timestamp, keyframe: true, units: [Buffer.from(p.data)] };
    return { kind: 'frame', frame };
  }

  /** For G.711, which has no sequence header: the track to announce before its first frame, once. */
  g711Track(body: Buffer): FlvAudioTrack | null {
    const p = parseAudioBody(body);
    if ((p.codec !== 'PCMA' && p.codec !== 'PCMU') || this.g711 === p.codec) return null;
    this.g711 = p.codec;
    return { kind: 'audio', codec: p.codec, sampleRate: 8000, channels: 1 };
  }
}

/** Video sequence header body for a track; null when FLV cannot carry it. */
export function videoSequenceBody(track: VideoTrackLike, options?: VideoBodyOptions): Buffer | null {
  const record = videoConfigFromTrack(track);
  if (!record) return null;
  return buildVideoBody({ codec: track.codec as FlvVideoCodec, packet: 'sequence-start', keyframe: true, data: record }, options);
}

/** Video frame body (NAL units with 4-byte lengths, composition time from pts − dts). */
export function videoFrameBody(frame: FlvMediaFrame, codec: FlvVideoCodec, options?: VideoBodyOptions): Buffer {
  const cts = Math.round(frame.pts) - Math.round(frame.dts);
  return buildVideoBody({ codec, packet: 'frame', keyframe: frame.keyframe, cts, data: joinLengthPrefixed(frame.units) }, options);
}

/** Audio sequence header body (AAC only); null for codecs without one. */
export function audioSequenceBody(track: AudioTrackLike): Buffer | null {
  if (track.codec !== 'AAC' || !track.config) return null;
  return buildAudioBody({ codec: 'AAC', packet: 'sequence-start', data: track.config });
}

/** Audio frame body; null for codecs FLV does not carry (e.g. Opus). */
export function audioFrameBody(frame: FlvMediaFrame, track: AudioTrackLike): Buffer | null {
  if (track.codec !== 'AAC' && track.codec !== 'PCMA' && track.codec !== 'PCMU') return null;
  const data = frame.units.length === 1 ? frame.units[0]! : Buffer.concat(frame.units);
  return buildAudioBody({ codec: track.codec, packet: 'frame', data });
}

/** An onMetaData script body describing the tracks. */
export function metadataBody(tracks: { video?: VideoTrackLike; audio?: AudioTrackLike }, extra: { [key: string]: Amf0Value } = {}): Buffer {
  const meta: { [key: string]: Amf0Value } = { duration: 0 };
  const v = tracks.video;
  if (v && (v.codec === 'H264' || v.codec === 'H265')) {
    if (v.width) meta.width = v.width;
    if (v.height) meta.height = v.height;
    meta.videocodecid = v.codec === 'H264' ? FlvVideoCodecId.AVC : FlvVideoCodecId.HEVC;
  }
  const a = tracks.audio;
  if (a && (a.codec === 'AAC' || a.codec === 'PCMA' || a.codec === 'PCMU')) {
    meta.audiocodecid = a.codec === 'AAC' ? 10 : a.codec === 'PCMA' ? 7 : 8;
    meta.audiosamplerate = a.sampleRate;
    meta.audiosamplesize = 16;
    meta.stereo = a.channels > 1;
  }
  return buildScriptBody('onMetaData', { ...meta, encoder: 'Argus', ...extra });
}
