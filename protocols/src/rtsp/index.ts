/**
 * RTSP 1.0 (RFC 2326): an incremental parser for one TCP stream (messages and `$` interleaved
 * frames), serializers, the Transport / Session / RTP-Info headers, and Basic/Digest auth.
 */
export { RtspError, RtspErrorCode, isRtspError } from './errors.js';
export {
  rtspHeader,
  rtspHeaderValues,
  serializeRtspRequest,
  serializeRtspResponse,
  serializeRtspInterleaved,
  RTSP_STATUS_REASONS,
  type RtspHeaderList,
  type RtspRequest,
  type RtspResponse,
} from './message.js';
export { RtspStreamParser, RTSP_DEFAULT_LIMITS, type RtspParserLimits, type RtspStreamItem } from './parser.js';
export { parseRtspTransport, buildRtspTransport, type RtspTransport } from './transport.js';
export {
  parseRtspSession,
  buildRtspSession,
  parseRtspRtpInfo,
  buildRtspRtpInfo,
  parseRtspPublic,
  matchRtspControl,
  type RtspSessionHeader,
  type RtspRtpInfo,
} from './headers.js';
export {
  parseRtspAuthChallenges,
  buildRtspAuthorization,
  parseRtspAuthorization,
  rtspDigestResponse,
  verifyRtspDigest,
  type RtspAuthChallenge,
  type RtspCredentials,
  type RtspDigestInput,
  type RtspAuthorizeInput,
} from './auth.js';
