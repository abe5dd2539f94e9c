/** Program-specific information: the PAT and PMT sections of a single-program stream. */
import { crc32Mpeg2 } from './crc32.js';

export const STREAM_TYPE = { H264: 0x1b, H265: 0x24, AAC_ADTS: 0x0f } as const;

export interface PmtStream {
  streamType: number;
  pid: number;
}

/** A section: the header bytes given, section_length filled in, CRC appended. */
function section(tableId: number, idField: number, body: number[]): Buffer {
  const length = 5 + body.length + 4; // after section_length: id(2) version(1) numbers(2), body, CRC
  const bytes = Buffer.from([
    tableId,
    0xb0 | ((length >> 8) & 0x0f),
    length & 0xff,
    idField >> 8,
    idField & 0xff,
    0xc1, // reserved, version 0, current_next 1
    0x00, // section_number
    0x00, // last_section_number
    ...body,
    0, 0, 0, 0,
  ]);
  bytes.writeUInt32BE(crc32Mpeg2(bytes, 0, bytes.length - 4), bytes.length - 4);
  return bytes;
}

export function patSection(programNumber: number, pmtPid: number): Buffer {
  return section(0x00, 1, [programNumber >> 8, programNumber & 0xff, 0xe0 | (pmtPid >> 8), pmtPid & 0xff]);
}

export function pmtSection(programNumber: number, pcrPid: number, streams: readonly PmtStream[]): Buffer {
  const body = [0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0x00];
  for (const s of streams) body.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0, 0x00);
  return section(0x02, programNumber, body);
}
