/**
 * MPEG-TS for HLS: a one-program muxer (PAT, PMT, H.264/H.265 + AAC ADTS PES with PTS/DTS, PCR on
 * the video PID, continuity counters, adaptation-field stuffing) and a small demuxer for checks.
 */
export { TsError, TsErrorCode } from './errors.js';
export { crc32Mpeg2 } from './crc32.js';
export { annexBAccessUnit, type TsVideoCodec } from './annexb.js';
export { STREAM_TYPE as TS_STREAM_TYPE, patSection, pmtSection, type PmtStream as TsPmtStream } from './psi.js';
export { TS_PACKET_BYTES, PTS_WRAP, ContinuityCounters as TsContinuityCounters, packetize as tsPacketize, psiPayload as tsPsiPayload, type PacketizeOptions as TsPacketizeOptions } from './packets.js';
export { PES_STREAM_ID, pesPacket, readTimestamp as readPesTimestamp } from './pes.js';
export { TsMuxer, TS_PIDS, type TsMuxerTracks, type TsVideoSample } from './muxer.js';
export { demuxTs, type TsDemuxed, type TsPes } from './demuxer.js';
