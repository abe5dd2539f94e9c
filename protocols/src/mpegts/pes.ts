/** PES packets with PTS/DTS on the 90 kHz clock. */
import { PTS_WRAP } from './packets.js';

export const PES_STREAM_ID = { VIDEO: 0xe0, AUDIO: 0xc0 } as const;

function writeTimestamp(out: Buffer, at: number, prefix: number, ts: number) {
  const t = ((Math.round(ts) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  const hi = Math.floor(t / 2 ** 30); // bits 32..30
  const mid = Math.floor(t / 2 ** 15) & 0x7fff; // bits 29..15
  const lo = t & 0x7fff; // bits 14..0
  out[at] = (prefix << 4) | (hi << 1) | 1;
  out.writeUInt16BE((mid << 1) | 1, at + 1);
  out.writeUInt16BE((lo << 1) | 1, at + 3);
}

/** A PES packet; `dts` is written only when it differs from `pts`. Video may use length 0 (unbounded). */
export function pesPacket(streamId: number, pts: number, dts: number | undefined, payload: Uint8Array): Buffer {
  const withDts = dts !== undefined && Math.round(dts) !== Math.round(pts);
  const headerData = withDts ? 10 : 5;
  const head = Buffer.alloc(9 + headerData);
  head.writeUInt32BE(0x00000100 | streamId, 0);
  const length = 3 + headerData + payload.length;
  head.writeUInt16BE(length > 0xffff ? 0 : length, 4);
  head[6] = 0x84; // '10', not scrambled, data_alignment_indicator
  head[7] = withDts ? 0xc0 : 0x80;
  head[8] = headerData;
  writeTimestamp(head, 9, withDts ? 3 : 2, pts);
  if (withDts) writeTimestamp(head, 14, 1, dts!);
  return Buffer.concat([head, payload]);
}

/** Reads a 5-byte PES timestamp. */
export function readTimestamp(b: Uint8Array, at: number): number {
  return ((b[at]! >> 1) & 7) * 2 ** 30 + (((b[at + 1]! << 8) | b[at + 2]!) >> 1) * 2 ** 15 + (((b[at + 3]! << 8) | b[at + 4]!) >> 1);
}
