/** What the hub carries: codec descriptions and frames, independent of any protocol. */

export type VideoCodec = 'H264' | 'H265';
export type AudioCodec = 'AAC' | 'PCMA' | 'PCMU' | 'OPUS';

export interface VideoTrack {
  kind: 'video';
  codec: VideoCodec;
  /** Parameter sets as raw NAL units without start codes: H.264 SPS, PPS; H.265 VPS, SPS, PPS. */
  parameterSets: Buffer[];
  width?: number;
  height?: number;
}

export interface AudioTrack {
  kind: 'audio';
  codec: AudioCodec;
  sampleRate: number;
  channels: number;
  /** AAC AudioSpecificConfig. */
  config?: Buffer;
}

export interface Tracks {
  video?: VideoTrack;
  audio?: AudioTrack;
}

/**
 * One access unit. Timestamps are milliseconds (fractions allowed) on the stream's own
 * clock, starting anywhere; `dts` never decreases within a track.
 */
export interface MediaFrame {
  kind: 'video' | 'audio';
  dts: number;
  pts: number;
  /** Video: a frame that starts a GOP (IDR / IRAP). Audio: always true. */
  keyframe: boolean;
  /**
   * Video: the NAL units of the access unit, without start codes or length prefixes.
   * Audio: one element, the raw frame (AAC without ADTS, G.711 bytes, an Opus packet).
   */
  units: Buffer[];
}

export function frameBytes(frame: MediaFrame): number {
  let n = 0;
  for (const u of frame.units) n += u.length;
  return n;
}

export type IngestProtocol = 'RTMP' | 'RTSP' | 'RTSP_PULL' | 'WEBRTC' | 'GB28181' | 'INTERNAL';
export type EgressProtocol = 'RTMP' | 'FLV' | 'WS_FLV' | 'HLS' | 'LL_HLS' | 'RTSP' | 'WEBRTC' | 'SNAPSHOT' | 'RECORDER';
