import { BitReader, nalToRbsp } from './bit-reader.js';
import { CodecError, CodecErrorCode } from './errors.js';

export const H264NalType = { SLICE: 1, IDR: 5, SEI: 6, SPS: 7, PPS: 8, AUD: 9 } as const;

export function h264NalType(unit: Uint8Array): number {
  return (unit[0] ?? 0) & 0x1f;
}

/** True when the access unit holds an IDR slice. */
export function isH264Keyframe(units: readonly Uint8Array[]): boolean {
  return units.some((u) => h264NalType(u) === H264NalType.IDR);
}

export interface H264Sps {
  profileIdc: number;
  /** constraint_set flags byte (profile_compatibility in the AVC record). */
  constraintFlags: number;
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Displayed size, cropping applied. */
  width: number;
  height: number;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an H.264 sequence parameter set NAL unit (with its one-byte NAL header). */
export function parseH264Sps(nal: Uint8Array): H264Sps {
  if (nal.length < 4) throw new CodecError(CodecErrorCode.TRUNCATED, 'H.264 SPS too short');
  if (h264NalType(nal) !== H264NalType.SPS) throw new CodecError(CodecErrorCode.INVALID, 'not an H.264 SPS');
  const r = new BitReader(nalToRbsp(nal.subarray(1)));
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = 0;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw new CodecError(CodecErrorCode.INVALID, `chroma_format_idc ${chromaFormatIdc}`);
    if (chromaFormatIdc === 3) separateColourPlane = r.bit();
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) {
      const lists = chromaFormatIdc === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.bit()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    if (cycle > 255) throw new CodecError(CodecErrorCode.INVALID, 'num_ref_frames_in_pic_order_cnt_cycle > 255');
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType !== 2) throw new CodecError(CodecErrorCode.INVALID, `pic_order_cnt_type ${pocType}`);
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.bit()) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const mono = chromaFormatIdc === 0 || separateColourPlane === 1;
  const subWidthC = chromaFormatIdc === 3 ? 1 : 2;
  const subHeightC = chromaFormatIdc === 1 ? 2 : 1;
  const cropUnitX = mono ? 1 : subWidthC;
  const cropUnitY = (mono ? 1 : subHeightC) * (2 - frameMbsOnly);
  const width = widthMbs * 16 - cropUnitX * (crop[0]! + crop[1]!);
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropUnitY * (crop[2]! + crop[3]!);
  if (width <= 0 || height <= 0) throw new CodecError(CodecErrorCode.INVALID, 'cropping leaves no picture');
  return { profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, bitDepthChroma, width, height };
}

function skipScalingList(r: BitReader, size: number) {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3): the FLV/MP4 sequence header of H.264. */
export interface AvcDecoderConfig {
  profileIdc: number;
  profileCompatibility: number;
  levelIdc: number;
  /** Bytes of the NAL length prefix in samples: 1, 2 or 4. */
  lengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
}

export function parseAvcDecoderConfig(data: Uint8Array): AvcDecoderConfig {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 7) throw new CodecError(CodecErrorCode.TRUNCATED, 'AVC decoder configuration record too short');
  if (buf[0] !== 1) throw new CodecError(CodecErrorCode.UNSUPPORTED, `AVC configurationVersion ${buf[0]}`);
  const lengthSize = (buf[4]! & 3) + 1;
  if (lengthSize === 3) throw new CodecError(CodecErrorCode.INVALID, 'NAL length size 3');
  let off = 5;
  const readSets = (count: number): Buffer[] => {
    const sets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (off + 2 > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'AVC record: parameter set length cut off');
      const len = buf.readUInt16BE(off);
      off += 2;
      if (off + len > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'AVC record: parameter set runs past the end');
      sets.push(buf.subarray(off, off + len));
      off += len;
    }
    return sets;
  };
  const sps = readSets(buf[off++]! & 0x1f);
  if (off >= buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'AVC record: PPS count missing');
  const pps = readSets(buf[off++]!);
  return { profileIdc: buf[1]!, profileCompatibility: buf[2]!, levelIdc: buf[3]!, lengthSize, sps, pps };
}

/** Builds an AVCDecoderConfigurationRecord with 4-byte NAL lengths from SPS and PPS units. */
export function buildAvcDecoderConfig(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): Buffer {
  const first = sps[0];
  if (!first || first.length < 4) throw new CodecError(CodecErrorCode.INVALID, 'an AVC record needs an SPS');
  if (sps.length > 31 || pps.length > 255) throw new CodecError(CodecErrorCode.INVALID, 'too many parameter sets');
  const parts: Uint8Array[] = [Buffer.from([1, first[1]!, first[2]!, first[3]!, 0xff, 0xe0 | sps.length])];
  for (const s of sps) parts.push(u16(s.length), s);
  parts.push(Buffer.from([pps.length]));
  for (const p of pps) parts.push(u16(p.length), p);
  if (HIGH_PROFILES.has(first[1]!)) {
    // the High-profile extension; only when the SPS parses, as some muxers expect it
    try {
      const info = parseH264Sps(first);
      parts.push(Buffer.from([0xfc | info.chromaFormatIdc, 0xf8 | ((info.bitDepthLuma - 8) & 7), 0xf8 | ((info.bitDepthChroma - 8) & 7), 0]));
    } catch {
      /* leave the extension out */
    }
  }
  return Buffer.concat(parts);
}

/** Codec string for MIME types and HLS/DASH manifests, e.g. `avc1.64001f`. */
export function avcCodecString(sps: Uint8Array): string {
  const hex = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');
  return `avc1.${hex(sps[1])}${hex(sps[2])}${hex(sps[3])}`;
}

function u16(n: number): Buffer {
  if (n > 0xffff) throw new CodecError(CodecErrorCode.INVALID, 'parameter set longer than 65535 bytes');
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
