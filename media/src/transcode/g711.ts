/**
 * G.711 (ITU-T) decoding: A-law (PCMA) and µ-law (PCMU) bytes → signed 16-bit PCM, through two
 * 256-entry tables built once (the same values as the ITU reference decoder and ffmpeg's).
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
