/** H.264 / H.265 access units in Annex-B form (start codes), as MPEG-TS carries them. */
import { h264NalType, h265NalType, joinAnnexB } from '../codecs/index.js';

export type TsVideoCodec = 'H264' | 'H265';

function typeOf(codec: TsVideoCodec, nal: Uint8Array): number {
  return codec === 'H264' ? h264NalType(nal) : h265NalType(nal);
}

const isAud = (codec: TsVideoCodec, nal: Uint8Array) => typeOf(codec, nal) === (codec === 'H264' ? 9 : 35);

/** SPS/PPS (H.264) or VPS/SPS/PPS (H.265). */
function isParameterSet(codec: TsVideoCodec, nal: Uint8Array): boolean {
  const t = typeOf(codec, nal);
  return codec === 'H264' ? t === 7 || t === 8 : t >= 32 && t <= 34;
}

const AUD: Record<TsVideoCodec, Buffer> = {
  H264: Buffer.from([0x09, 0xf0]), // primary_pic_type 7 (any)
  H265: Buffer.from([0x46, 0x01, 0x50]), // nal type 35, pic_type 2 (any)
};

/**
 * One access unit in Annex-B: an AUD first, then (before a keyframe, when the unit lacks them) the
 * parameter sets, then the unit's own NAL units (an AUD of its own is dropped).
 */
export function annexBAccessUnit(codec: TsVideoCodec, units: readonly Uint8Array[], keyframe: boolean, parameterSets: readonly Uint8Array[]): Buffer {
  const own = units.filter((u) => u.length > 0 && !isAud(codec, u));
  const withSets = keyframe && !own.some((u) => isParameterSet(codec, u));
  return joinAnnexB([AUD[codec], ...(withSets ? parameterSets : []), ...own]);
}
