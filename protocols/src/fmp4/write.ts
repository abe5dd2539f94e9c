/** Box writing: `box('moov', ...)`, `fullBox('mvhd', 0, 0, ...)`, and big-endian field helpers. */

export type Part = Uint8Array;

export function box(type: string, ...payload: Part[]): Buffer {
  let size = 8;
  for (const p of payload) size += p.length;
  const head = Buffer.alloc(8);
  head.writeUInt32BE(size, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, ...payload], size);
}

export function fullBox(type: string, version: number, flags: number, ...payload: Part[]): Buffer {
  return box(type, Buffer.from([version, (flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff]), ...payload);
}

export const u8 = (...v: number[]) => Buffer.from(v);
export function u16(...v: number[]): Buffer {
  const b = Buffer.alloc(2 * v.length);
  v.forEach((n, i) => b.writeUInt16BE(n & 0xffff, 2 * i));
  return b;
}
export function u32(...v: number[]): Buffer {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((n, i) => b.writeUInt32BE(n >>> 0, 4 * i));
  return b;
}
export function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.round(n))));
  return b;
}
export const zeros = (n: number) => Buffer.alloc(n);
export const fourcc = (s: string) => Buffer.from(s, 'latin1');

/** The unity transformation matrix of mvhd/tkhd. */
export const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
