/**
 * Codec helpers shared by every protocol: NAL unit framing (Annex-B, length-prefixed), H.264 and
 * H.265 parameter sets and decoder configuration records, AAC AudioSpecificConfig and ADTS.
 * All functions are pure; malformed input throws CodecError.
 */
export { CodecError, CodecErrorCode, isCodecError } from './errors.js';
export { BitReader, nalToRbsp } from './bit-reader.js';
export { splitAnnexB, joinAnnexB, splitLengthPrefixed, joinLengthPrefixed } from './annexb.js';
export {
  H264NalType, h264NalType, isH264Keyframe, parseH264Sps, parseAvcDecoderConfig, buildAvcDecoderConfig, avcCodecString,
  type H264Sps, type AvcDecoderConfig,
} from './h264.js';
export {
  H265NalType, h265NalType, isH265Keyframe, parseH265Sps, parseHevcDecoderConfig, buildHevcDecoderConfig,
  type H265Sps, type H265ProfileTierLevel, type HevcDecoderConfig,
} from './h265.js';
export {
  AAC_SAMPLE_RATES, AAC_FRAME_SAMPLES, parseAacConfig, buildAacConfig, buildAdtsHeader, splitAdts,
  type AacConfig, type AdtsFrame,
} from './aac.js';
