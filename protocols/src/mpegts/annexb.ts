/** H.264 / H.265 NAL units in Annex-B form (start codes), as MPEG-TS carries them. */

export type TsVideoCodec = 'H264' | 'H265';

export function nalType(codec: TsVideoCodec, nal: Uint8Array): number {
  const b = nal[0] ?? 0;
  return codec === 'H264' ? b & 0x1f : (b >> 1) & 0x3f;
}

export function isAudNal(codec: TsVideoCodec, nal: Uint8Array): boolean {
  return nalType(codec, nal) === (codec === 'H264' ? 9 : 35);
}

/** SPS/PPS (H.264) or VPS/SPS/PPS (H.265). */
export function isParameterSetNal(codec: TsVideoCodec, nal: Uint8Array): boolean {
  const t = nalType(codec, nal);
  return codec === 'H264' ? t === 7 || t === 8 : t >= 32 && t <= 34;
}

/** IDR (H.264) or IRAP (H.265) slice. */
export function isKeyframeNal(codec: TsVideoCodec, nal: Uint8Array): boolean {
  const t = nalType(codec, nal);
  return codec === 'H264' ? t === 5 : t >= 16 && t <= 21;
}

const START_CODE = Buffer.from([0, 0, 0, 1]);
const AUD: Record<TsVideoCodec, Buffer> = {
  H264: Buffer.from([0x09, 0xf0]),
  H265: Buffer.from([0x46, 0x01, 0x50]),
};

/**
 * One access unit in Annex-B: an AUD first, then (before a keyframe, when the unit lacks them) the
 * parameter sets, then the unit's own NAL units (any AUD of its own is dropped).
 */
export function annexBAccessUnit(codec: TsVideoCodec, units: readonly Uint8Array[], keyframe: boolean, parameterSets: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [START_CODE, AUD[codec]];
  const own = units.filter((u) => u.length > 0 && !isAudNal(codec, u));
  if (keyframe && !own.some((u) => isParameterSetNal(codec, u))) {
    for (const ps of parameterSets) parts.push(START_CODE, ps);
  }
  for (const u of own) parts.push(START_CODE, u);
  return Buffer.concat(parts);
}

/** Splits an Annex-B byte stream into NAL units (views into the input, start codes removed). */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < buf.length) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (start >= 0) units.push(trimZeros(buf, start, i));
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < buf.length) units.push(trimZeros(buf, start, buf.length));
  return units.filter((u) => u.length > 0);
}

function trimZeros(buf: Uint8Array, start: number, end: number): Uint8Array {
  while (end > start && buf[end - 1] === 0) end--;
  return buf.subarray(start, end);
}
