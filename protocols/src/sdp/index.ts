/** SDP (RFC 8866) for RTSP: parse and build descriptions; rtpmap, fmtp, control, direction. */
export { SdpError, SdpErrorCode } from './errors.js';
export {
  parseSdp,
  buildSdp,
  sdpAttribute,
  sdpRtpMap,
  sdpFmtp,
  sdpDirection,
  resolveSdpControl,
  SDP_DEFAULT_LIMITS,
  type SdpSession,
  type SdpMedia,
  type SdpOrigin,
  type SdpAttribute,
  type SdpRtpMap,
  type SdpDirection,
  type SdpLimits,
} from './sdp.js';
export { offeredCodecs, pickH264, pickH265, pickAudio, keepPayloadTypes, type OfferedCodec } from './webrtc-codecs.js';
