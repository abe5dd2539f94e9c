/**
 * A small MPEG-TS demuxer (for tests and tools): PAT → PMT → PES reassembly, with PTS/DTS, PCRs and
 * continuity checks. PSI sections must fit in one packet. Throws TsError on anything malformed.
 */
import { crc32Mpeg2 } from './crc32.js';
import { TsError, TsErrorCode } from './errors.js';
import { TS_PACKET_BYTES } from './packets.js';
import { readTimestamp } from './pes.js';
import type { PmtStream } from './psi.js';

export interface TsPes {
  pid: number;
  streamId: number;
  /** 90 kHz. */
  pts?: number;
  dts?: number;
  /** The elementary-stream bytes (PES header removed). */
  data: Buffer;
  /** The first packet had random_access_indicator set. */
  randomAccess: boolean;
}

export interface TsDemuxed {
  pmtPid?: number;
  pcrPid?: number;
  streams: PmtStream[];
  pes: TsPes[];
  /** PCR bases (90 kHz) in order of appearance, with their PID. */
  pcrs: Array<{ pid: number; base: number }>;
  continuityErrors: number;
  packets: number;
}

const bad = (message: string, offset?: number) => new TsError(TsErrorCode.BAD_SECTION, message, offset);

export function demuxTs(buf: Uint8Array): TsDemuxed {
  if (buf.length % TS_PACKET_BYTES !== 0) throw new TsError(TsErrorCode.BAD_PACKET, `${buf.length} bytes is not a whole number of TS packets`);
  const out: TsDemuxed = { streams: [], pes: [], pcrs: [], continuityErrors: 0, packets: 0 };
  const lastCc = new Map<number, number>();
  const open = new Map<number, { chunks: Buffer[]; randomAccess: boolean; offset: number }>();
  const finish = (pid: number) => {
    const o = open.get(pid);
    if (o) out.pes.push(parsePes(pid, Buffer.concat(o.chunks), o.randomAccess, o.offset));
    open.delete(pid);
  };
  for (let p = 0; p < buf.length; p += TS_PACKET_BYTES) {
    out.packets++;
    if (buf[p] !== 0x47) throw new TsError(TsErrorCode.BAD_PACKET, 'packet does not start with 0x47', p);
    const pusi = (buf[p + 1]! & 0x40) !== 0;
    const pid = ((buf[p + 1]! & 0x1f) << 8) | buf[p + 2]!;
    const afc = (buf[p + 3]! >> 4) & 3;
    const cc = buf[p + 3]! & 0x0f;
    let pos = p + 4;
    let randomAccess = false;
    if (afc & 2) {
      const afLen = buf[pos]!;
      if (afLen > 183) throw bad('adaptation field longer than the packet', p);
      if (afLen > 0) {
        const flags = buf[pos + 1]!;
        randomAccess = (flags & 0x40) !== 0;
        if (flags & 0x10) {
          if (afLen < 7) throw bad('adaptation field too short for its PCR', p);
          const hi = ((buf[pos + 2]! << 24) >>> 0) + (buf[pos + 3]! << 16) + (buf[pos + 4]! << 8) + buf[pos + 5]!;
          out.pcrs.push({ pid, base: hi * 2 + (buf[pos + 6]! >> 7) });
        }
      }
      pos += 1 + afLen;
    }
    if (!(afc & 1)) continue;
    const prev = lastCc.get(pid);
    if (prev !== undefined && cc !== ((prev + 1) & 0x0f)) out.continuityErrors++;
    lastCc.set(pid, cc);
    const payload = Buffer.from(buf.buffer, buf.byteOffset + pos, p + TS_PACKET_BYTES - pos);
    if (pid === 0 || pid === out.pmtPid) {
      if (pusi) readPsi(out, pid, payload, p);
      continue;
    }
    if (!out.streams.some((s) => s.pid === pid)) continue;
    if (pusi) {
      finish(pid);
      open.set(pid, { chunks: [payload], randomAccess, offset: p });
    } else open.get(pid)?.chunks.push(payload);
  }
  for (const pid of [...open.keys()]) finish(pid);
  return out;
}

function readPsi(out: TsDemuxed, pid: number, payload: Buffer, offset: number) {
  if (payload.length < 1) throw bad('PSI packet without payload bytes', offset);
  const start = 1 + payload[0]!;
  if (start + 3 > payload.length) throw bad('PSI pointer field points past the packet', offset);
  const s = payload.subarray(start);
  const length = ((s[1]! & 0x0f) << 8) | s[2]!;
  if (3 + length > s.length || length < 9) throw bad('PSI section does not fit in its packet', offset);
  const end = 3 + length;
  if (crc32Mpeg2(s, 0, end - 4) !== s.readUInt32BE(end - 4)) throw bad('PSI section CRC mismatch', offset);
  if (pid === 0) {
    if (s[0] !== 0x00) throw bad(`table id ${s[0]} on PID 0`, offset);
    for (let i = 8; i + 4 <= end - 4; i += 4) {
      const program = s.readUInt16BE(i);
      if (program !== 0) out.pmtPid = s.readUInt16BE(i + 2) & 0x1fff;
    }
    return;
  }
  if (s[0] !== 0x02) throw bad(`table id ${s[0]} where a PMT was expected`, offset);
  out.pcrPid = s.readUInt16BE(8) & 0x1fff;
  const infoLen = s.readUInt16BE(10) & 0x0fff;
  const streams: PmtStream[] = [];
  for (let i = 12 + infoLen; i + 5 <= end - 4; ) {
    const esInfo = s.readUInt16BE(i + 3) & 0x0fff;
    streams.push({ streamType: s[i]!, pid: s.readUInt16BE(i + 1) & 0x1fff });
    i += 5 + esInfo;
  }
  out.streams = streams;
}

function parsePes(pid: number, b: Buffer, randomAccess: boolean, offset: number): TsPes {
  if (b.length < 9 || b[0] !== 0 || b[1] !== 0 || b[2] !== 1) throw bad('PES start code missing', offset);
  const streamId = b[3]!;
  const headerLen = b[8]!;
  const flags = b[7]! >> 6;
  if (9 + headerLen > b.length || (flags & 2 && headerLen < 5) || (flags === 3 && headerLen < 10)) throw bad('PES header truncated', offset);
  const declared = b.readUInt16BE(4);
  let data = b.subarray(9 + headerLen);
  if (declared) {
    if (6 + declared > b.length) throw bad('PES shorter than its declared length', offset);
    data = b.subarray(9 + headerLen, 6 + declared);
  }
  const pes: TsPes = { pid, streamId, data, randomAccess };
  if (flags & 2) pes.pts = readTimestamp(b, 9);
  if (flags === 3) pes.dts = readTimestamp(b, 14);
  return pes;
}
