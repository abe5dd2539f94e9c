/**
 * MPEG-TS for HLS: a one-program muxer (PAT, PMT, H.264/H.265 + AAC ADTS PES with PTS/DTS, PCR on
 * the video PID, continuity counters, adaptation-field stuffing) and a small demuxer for checks.
 */
export { TsError, TsErrorCode } from './errors.js';
export { crc32Mpeg2 } from './crc32.js';
export { AAC_SAMPLE_RATES, ADTS_HEADER_BYTES, aacConfigBytes, adtsHeader, parseAdtsFrames, readAacConfig, type AacConfig, type AdtsFrame } from './adts.js';
export { annexBAccessUnit, isAudNal, isKeyframeNal, isParameterSetNal, nalType, splitAnnexB, type TsVideoCodec } from './annexb.js';
export { STREAM_TYPE, patSection, pmtSection, type PmtStream } from './psi.js';
export { TS_PACKET_BYTES, PTS_WRAP, ContinuityCounters, packetize, psiPayload, type PacketizeOptions } from './packets.js';
export { PES_STREAM_ID, pesPacket, readTimestamp } from './pes.js';
export { TsMuxer, TS_PIDS, type TsMuxerTracks, type TsVideoSample } from './muxer.js';
export { demuxTs, type TsDemuxed, type TsPes } from './demuxer.js';
