/**
 * FLV: file header and tags (mux, incremental demux), audio/video/script tag bodies (legacy AVC,
 * HEVC as Enhanced RTMP 'hvc1' or codec id 12, AAC, G.711), and conversions between tag bodies
 * and protocol-neutral frames and tracks. Tag bodies are also the payloads of RTMP audio/video
 * messages. Malformed input throws FlvError.
 */
export { FlvError, FlvErrorCode, isFlvError } from './errors.js';
export { FlvTagType, FlvDemuxer, encodeFlvHeader, encodeFlvTag, demuxFlv, type FlvHeader, type FlvTag, type FlvDemuxerOptions } from './flv-file.js';
export {
  FlvVideoCodecId, ExVideoPacketType, parseVideoBody, buildVideoBody,
  type FlvVideoCodec, type FlvVideoPacket, type FlvVideoPacketKind, type VideoBodyOptions,
} from './video-body.js';
export { FlvSoundFormat, parseAudioBody, buildAudioBody, type FlvAudioCodec, type FlvAudioPacket } from './audio-body.js';
export { parseScriptBody, buildScriptBody, type FlvScriptData } from './script-body.js';
export {
  FlvFrameReader, videoTrackFromConfig, videoConfigFromTrack, audioTrackFromAacConfig,
  videoSequenceBody, videoFrameBody, audioSequenceBody, audioFrameBody, metadataBody,
  type FlvMediaFrame, type FlvVideoTrack, type FlvAudioTrack, type VideoTrackLike, type AudioTrackLike, type FlvReadResult,
} from './media-frames.js';
