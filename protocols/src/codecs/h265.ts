import { BitReader, nalToRbsp } from './bit-reader.js';
import { CodecError, CodecErrorCode } from './errors.js';

export const H265NalType = { IDR_W_RADL: 19, IDR_N_LP: 20, CRA: 21, VPS: 32, SPS: 33, PPS: 34, AUD: 35, PREFIX_SEI: 39, SUFFIX_SEI: 40 } as const;

export function h265NalType(unit: Uint8Array): number {
  return ((unit[0] ?? 0) >> 1) & 0x3f;
}

/** True when the access unit holds an IRAP picture (BLA, IDR or CRA: NAL types 16–23). */
export function isH265Keyframe(units: readonly Uint8Array[]): boolean {
  return units.some((u) => {
    const t = h265NalType(u);
    return t >= 16 && t <= 23;
  });
}

/** general_profile_tier_level fields, as they appear in the HEVC record. */
export interface H265ProfileTierLevel {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flags, 32 bits. */
  compatibilityFlags: number;
  /** The 48 constraint indicator bits, 6 bytes. */
  constraintFlags: Buffer;
  levelIdc: number;
}

export interface H265Sps extends H265ProfileTierLevel {
  maxSubLayers: number;
  temporalIdNesting: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Displayed size, conformance window applied. */
  width: number;
  height: number;
}

/** Parses an H.265 sequence parameter set NAL unit (with its two-byte NAL header). */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 15) throw new CodecError(CodecErrorCode.TRUNCATED, 'H.265 SPS too short');
  if (h265NalType(nal) !== H265NalType.SPS) throw new CodecError(CodecErrorCode.INVALID, 'not an H.265 SPS');
  const rbsp = nalToRbsp(nal.subarray(2));
  const r = new BitReader(rbsp);
  r.bits(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.bits(3);
  const temporalIdNesting = r.bit();
  if (rbsp.length < 13) throw new CodecError(CodecErrorCode.TRUNCATED, 'H.265 SPS too short');
  const ptl: H265ProfileTierLevel = {
    profileSpace: r.bits(2),
    tierFlag: r.bit(),
    profileIdc: r.bits(5),
    compatibilityFlags: r.bits(32),
    constraintFlags: Buffer.from(rbsp.subarray(6, 12)),
    levelIdc: 0,
  };
  r.skip(48);
  ptl.levelIdc = r.bits(8);
  const subProfile: number[] = [];
  const subLevel: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.bit());
    subLevel.push(r.bit());
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new CodecError(CodecErrorCode.INVALID, `chroma_format_idc ${chromaFormatIdc}`);
  let separateColourPlane = 0;
  if (chromaFormatIdc === 3) separateColourPlane = r.bit();
  const picWidth = r.ue();
  const picHeight = r.ue();
  let win = [0, 0, 0, 0];
  if (r.bit()) win = [r.ue(), r.ue(), r.ue(), r.ue()];
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  const chroma = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chroma === 1 || chroma === 2 ? 2 : 1;
  const subHeightC = chroma === 1 ? 2 : 1;
  const width = picWidth - subWidthC * (win[0]! + win[1]!);
  const height = picHeight - subHeightC * (win[2]! + win[3]!);
  if (width <= 0 || height <= 0) throw new CodecError(CodecErrorCode.INVALID, 'conformance window leaves no picture');
  return { ...ptl, maxSubLayers: maxSubLayersMinus1 + 1, temporalIdNesting, chromaFormatIdc, bitDepthLuma, bitDepthChroma, width, height };
}

/** HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3): the FLV/MP4 sequence header of H.265. */
export interface HevcDecoderConfig extends H265ProfileTierLevel {
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  numTemporalLayers: number;
  temporalIdNested: number;
  /** Bytes of the NAL length prefix in samples: 1, 2 or 4. */
  lengthSize: number;
  vps: Buffer[];
  sps: Buffer[];
  pps: Buffer[];
  /** Other arrays (SEI, …), kept as NAL units. */
  other: Buffer[];
}

export function parseHevcDecoderConfig(data: Uint8Array): HevcDecoderConfig {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 23) throw new CodecError(CodecErrorCode.TRUNCATED, 'HEVC decoder configuration record too short');
  if (buf[0] !== 1) throw new CodecError(CodecErrorCode.UNSUPPORTED, `HEVC configurationVersion ${buf[0]}`);
  const lengthSize = (buf[21]! & 3) + 1;
  if (lengthSize === 3) throw new CodecError(CodecErrorCode.INVALID, 'NAL length size 3');
  const cfg: HevcDecoderConfig = {
    profileSpace: buf[1]! >> 6,
    tierFlag: (buf[1]! >> 5) & 1,
    profileIdc: buf[1]! & 0x1f,
    compatibilityFlags: buf.readUInt32BE(2),
    constraintFlags: Buffer.from(buf.subarray(6, 12)),
    levelIdc: buf[12]!,
    chromaFormatIdc: buf[16]! & 3,
    bitDepthLuma: (buf[17]! & 7) + 8,
    bitDepthChroma: (buf[18]! & 7) + 8,
    numTemporalLayers: (buf[21]! >> 3) & 7,
    temporalIdNested: (buf[21]! >> 2) & 1,
    lengthSize,
    vps: [],
    sps: [],
    pps: [],
    other: [],
  };
  const arrays = buf[22]!;
  let off = 23;
  for (let a = 0; a < arrays; a++) {
    if (off + 3 > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'HEVC record: array header cut off');
    const type = buf[off]! & 0x3f;
    const count = buf.readUInt16BE(off + 1);
    off += 3;
    const list = type === H265NalType.VPS ? cfg.vps : type === H265NalType.SPS ? cfg.sps : type === H265NalType.PPS ? cfg.pps : cfg.other;
    for (let i = 0; i < count; i++) {
      if (off + 2 > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'HEVC record: NAL length cut off');
      const len = buf.readUInt16BE(off);
      off += 2;
      if (off + len > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'HEVC record: NAL unit runs past the end');
      list.push(buf.subarray(off, off + len));
      off += len;
    }
  }
  return cfg;
}

/** Builds an HEVCDecoderConfigurationRecord with 4-byte NAL lengths; profile fields come from the SPS. */
export function buildHevcDecoderConfig(vps: readonly Uint8Array[], sps: readonly Uint8Array[], pps: readonly Uint8Array[]): Buffer {
  const first = sps[0];
  if (!first) throw new CodecError(CodecErrorCode.INVALID, 'an HEVC record needs an SPS');
  const info = parseH265Sps(first);
  const head = Buffer.alloc(23);
  head[0] = 1;
  head[1] = (info.profileSpace << 6) | (info.tierFlag << 5) | info.profileIdc;
  head.writeUInt32BE(info.compatibilityFlags >>> 0, 2);
  info.constraintFlags.copy(head, 6);
  head[12] = info.levelIdc;
  head.writeUInt16BE(0xf000, 13); // min_spatial_segmentation_idc 0
  head[15] = 0xfc; // parallelismType unknown
  head[16] = 0xfc | info.chromaFormatIdc;
  head[17] = 0xf8 | ((info.bitDepthLuma - 8) & 7);
  head[18] = 0xf8 | ((info.bitDepthChroma - 8) & 7);
  head.writeUInt16BE(0, 19); // avgFrameRate unknown
  head[21] = (Math.min(info.maxSubLayers, 7) << 3) | (info.temporalIdNesting << 2) | 3;
  const groups: Array<[number, readonly Uint8Array[]]> = [
    [H265NalType.VPS, vps],
    [H265NalType.SPS, sps],
    [H265NalType.PPS, pps],
  ];
  const present = groups.filter(([, units]) => units.length > 0);
  head[22] = present.length;
  const parts: Uint8Array[] = [head];
  for (const [type, units] of present) {
    if (units.length > 0xffff) throw new CodecError(CodecErrorCode.INVALID, 'too many parameter sets');
    const h = Buffer.alloc(3);
    h[0] = 0x80 | type; // array_completeness
    h.writeUInt16BE(units.length, 1);
    parts.push(h);
    for (const u of units) {
      if (u.length > 0xffff) throw new CodecError(CodecErrorCode.INVALID, 'parameter set longer than 65535 bytes');
      const l = Buffer.alloc(2);
      l.writeUInt16BE(u.length);
      parts.push(l, u);
    }
  }
  return Buffer.concat(parts);
}
