/** The little of JPEG a snapshot needs: is it one, and how large is the picture. */

/** True when `b` starts with SOI (FF D8) and ends with EOI (FF D9). */
export function isJpeg(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

/** Width and height from the first SOFn segment, or null when there is none (or the data is cut). */
export function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let off = 2;
  while (off + 4 <= b.length) {
    if (b[off] !== 0xff) return null;
    const marker = b[off + 1]!;
    if (marker === 0xff) {
      off++; // fill byte
      continue;
    }
    // markers without a length
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      off += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // EOI / SOS before any SOF
    const length = (b[off + 2]! << 8) | b[off + 3]!;
    if (length < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (off + 9 > b.length || length < 7) return null;
      const height = (b[off + 5]! << 8) | b[off + 6]!;
      const width = (b[off + 7]! << 8) | b[off + 8]!;
      return width > 0 && height > 0 ? { width, height } : null;
    }
    off += 2 + length;
  }
  return null;
}
