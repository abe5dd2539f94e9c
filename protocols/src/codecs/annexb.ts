import { CodecError, CodecErrorCode } from './errors.js';

const START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Splits an Annex-B byte stream (units behind 00 00 01 or 00 00 00 01 start codes) into NAL units
 * without start codes. Bytes before the first start code are ignored; empty units are dropped.
 */
export function splitAnnexB(data: Uint8Array): Buffer[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const units: Buffer[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < buf.length) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (start >= 0) pushUnit(units, buf, start, i);
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0) pushUnit(units, buf, start, buf.length);
  return units;
}

function pushUnit(units: Buffer[], buf: Buffer, start: number, end: number) {
  // a zero before the next start code belongs to a 4-byte start code (or is trailing_zero_8bits)
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) units.push(buf.subarray(start, end));
}

/** NAL units to an Annex-B byte stream with 4-byte start codes. */
export function joinAnnexB(units: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const u of units) parts.push(START_CODE, u);
  return Buffer.concat(parts);
}

/**
 * Splits length-prefixed NAL units (AVCC/HVCC sample format, as in FLV and MP4) into units.
 * `lengthSize` is 1–4 (lengthSizeMinusOne + 1 of the decoder configuration record; 3 is unusual but valid).
 */
export function splitLengthPrefixed(data: Uint8Array, lengthSize = 4): Buffer[] {
  if (!Number.isInteger(lengthSize) || lengthSize < 1 || lengthSize > 4) {
    throw new CodecError(CodecErrorCode.UNSUPPORTED, `NAL length size ${lengthSize}`);
  }
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const units: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + lengthSize > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'NAL length prefix cut off');
    const len = buf.readUIntBE(off, lengthSize);
    off += lengthSize;
    if (off + len > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, `NAL unit of ${len} bytes runs past the sample`);
    if (len > 0) units.push(buf.subarray(off, off + len));
    off += len;
  }
  return units;
}

/** NAL units to the length-prefixed sample format. */
export function joinLengthPrefixed(units: readonly Uint8Array[], lengthSize = 4): Buffer {
  let total = 0;
  for (const u of units) total += lengthSize + u.length;
  const out = Buffer.alloc(total);
  let off = 0;
  for (const u of units) {
    if (u.length >= 2 ** (8 * lengthSize)) throw new CodecError(CodecErrorCode.INVALID, `NAL unit too long for a ${lengthSize}-byte length`);
    out.writeUIntBE(u.length, off, lengthSize);
    out.set(u, off + lengthSize);
    off += lengthSize + u.length;
  }
  return out;
}
