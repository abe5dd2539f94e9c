/**
 * G.711 (ITU-T): A-law (PCMA) and µ-law (PCMU) bytes ↔ signed 16-bit PCM. Decoding goes through two
 * 256-entry tables built once (the same values as the ITU reference decoder and ffmpeg's), encoding
 * through two 65,536-entry tables built on first use (the reference encoder's rounding).
 */

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else {
    t += 0x108;
    if (seg > 1) t <<= seg - 1;
  }
  return a & 0x80 ? t : -t;
}

function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

export const ALAW_TO_PCM16: Int16Array = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));
export const ULAW_TO_PCM16: Int16Array = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));

/** Decodes G.711 bytes into little-endian signed 16-bit PCM (2 bytes per input byte). */
export function decodeG711(codec: 'PCMA' | 'PCMU', bytes: Uint8Array): Buffer {
  const table = codec === 'PCMA' ? ALAW_TO_PCM16 : ULAW_TO_PCM16;
  const out = Buffer.allocUnsafe(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) out.writeInt16LE(table[bytes[i]!]!, i * 2);
  return out;
}

/** ITU-T G.711 A-law of one 16-bit sample (the reference encoder's rounding, as ffmpeg's pcm_alaw). */
function linearToAlaw(pcm: number): number {
  let v = pcm >> 3;
  let mask: number;
  if (v >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    v = -v - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let seg = 0;
  while (seg < 8 && v > ends[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return ((seg << 4) | quant) ^ mask;
}

/** ITU-T G.711 µ-law of one 16-bit sample. */
function linearToUlaw(pcm: number): number {
  let v = pcm >> 2;
  let mask: number;
  if (v < 0) {
    v = -v;
    mask = 0x7f;
  } else mask = 0xff;
  if (v > 8159) v = 8159;
  v += 0x84 >> 2;
  const ends = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
  let seg = 0;
  while (seg < 8 && v > ends[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

let alawTable: Uint8Array | null = null;
let ulawTable: Uint8Array | null = null;

/** 65,536-entry tables (sample + 32768 → byte), built on first use. */
function encodeTable(codec: 'PCMA' | 'PCMU'): Uint8Array {
  if (codec === 'PCMA') return (alawTable ??= Uint8Array.from({ length: 65536 }, (_, i) => linearToAlaw(i - 32768)));
  return (ulawTable ??= Uint8Array.from({ length: 65536 }, (_, i) => linearToUlaw(i - 32768)));
}

/** Encodes 16-bit samples as G.711 bytes (one byte per sample). */
export function encodeG711(codec: 'PCMA' | 'PCMU', samples: Int16Array): Buffer {
  const table = encodeTable(codec);
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]! + 32768]!;
  return out;
}

/** Decodes G.711 bytes into 16-bit samples. */
export function g711ToSamples(codec: 'PCMA' | 'PCMU', bytes: Uint8Array): Int16Array {
  const table = codec === 'PCMA' ? ALAW_TO_PCM16 : ULAW_TO_PCM16;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
