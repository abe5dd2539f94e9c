/**
 * RTP (RFC 3550) and the payload formats the media server carries: H.264 (RFC 6184), H.265
 * (RFC 7798), AAC mpeg4-generic (RFC 3640), G.711, L16 and Opus; minimal RTCP sender/receiver reports.
 * Depacketizers turn packets into frames and drop (never throw on) bad payloads; packetizers
 * turn frames into payloads that RtpPacketWriter stamps and serializes.
 */
export { RtpError, RtpErrorCode } from './errors.js';
export {
  parseRtpPacket,
  serializeRtpPacket,
  rtpSequenceGap,
  RtpPacketWriter,
  RtpTimestampUnwrapper,
  type RtpPacket,
  type RtpFrame,
  type RtpOutPayload,
  type RtpDepacketizer,
} from './packet.js';
export { RTP_DEFAULT_MTU, RTP_MAX_FRAME_BYTES } from './nal.js';
export { H264RtpDepacketizer, packetizeRtpH264, rtpH264Fmtp, parseRtpH264Sprop } from './h264.js';
export { H265RtpDepacketizer, packetizeRtpH265, rtpH265Fmtp, parseRtpH265Sprop } from './h265.js';
export { AacRtpDepacketizer, packetizeRtpAac, rtpAacFmtp, rtpAacParamsFromFmtp, RTP_AAC_HBR, type RtpAacParams } from './aac.js';
export { PassthroughRtpDepacketizer, packetizeRtpG711, packetizeRtpL16, packetizeRtpOpus } from './g711.js';
export {
  buildRtcpSenderReport,
  buildRtcpReceiverReport,
  parseRtcpPackets,
  type RtcpPacket,
  type RtcpSenderInfo,
} from './rtcp.js';
