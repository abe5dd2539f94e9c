/**
 * Codec helpers against parameter sets that libx264/libx265 wrote (hex below) and layouts from
 * ISO/IEC 14496-10/-15 and 14496-3.
 */
import { describe, it, expect } from 'vitest';
import {
  BitReader, CodecError, nalToRbsp, splitAnnexB, joinAnnexB, splitLengthPrefixed, joinLengthPrefixed,
  parseH264Sps, parseAvcDecoderConfig, buildAvcDecoderConfig, avcCodecString, h264NalType, isH264Keyframe,
  parseH265Sps, parseHevcDecoderConfig, buildHevcDecoderConfig, h265NalType, isH265Keyframe,
  parseAacConfig, buildAacConfig, buildAdtsHeader, splitAdts,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// libx264, testsrc 640x360 (4:4:4, High 4:4:4 Predictive) and 1920x1080 High 4:2:0
const SPS_444_360P = hex('67f4001e919680a02ff89c0440000003004000000c83c58ba8');
const PPS_444_360P = hex('68ce0f1920');
const SPS_HIGH_1080P = hex('67640028acd940780227e5c044000003000400000300c83c60c658');
const PPS_HIGH_1080P = hex('68ebe3cb22c0');
// libx265, testsrc 640x360 Main
const VPS_265 = hex('40010c01ffff01600000030090000003000003003f959809');
const SPS_265 = hex('42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321');
const PPS_265 = hex('4401c172b46240');

function codecError(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('bit reader', () => {
  it('reads bits and Exp-Golomb codes', () => {
    // 1 | 010 | 011 | 00100 | 00101 → ue 0, 1, 2, 3, and se(00101 = 4) = -2
    const r = new BitReader(Buffer.from([0b10100110, 0b01000010, 0b10000000]));
    expect([r.ue(), r.ue(), r.ue(), r.ue(), r.se()]).toEqual([0, 1, 2, 3, -2]);
    expect(r.bitsLeft).toBe(7);
    expect(codecError(() => r.bits(8)).code).toBe('CODEC_TRUNCATED');
  });

  it('refuses Exp-Golomb codes longer than 32 bits', () => {
    expect(codecError(() => new BitReader(Buffer.alloc(8)).ue()).code).toBe('CODEC_INVALID');
  });

  it('removes emulation prevention bytes', () => {
    expect(nalToRbsp(hex('0000030100000302 000003'))).toEqual(hex('00000100 00020000'));
  });
});

describe('Annex-B and length-prefixed NAL units', () => {
  it('splits 3- and 4-byte start codes, drops leading garbage and trailing zeros', () => {
    const units = splitAnnexB(hex('ff 00000001 6742 000001 68ce 00000001 65888001 0000'));
    expect(units.map((u) => u.toString('hex'))).toEqual(['6742', '68ce', '65888001']);
    expect(splitAnnexB(joinAnnexB(units))).toEqual(units);
    expect(joinAnnexB([hex('09f0')])).toEqual(hex('00000001 09f0'));
  });

  it('converts to and from length prefixes of 1, 2 and 4 bytes', () => {
    const units = [hex('6742'), hex('68ce3c80'), hex('65')];
    expect(joinLengthPrefixed(units)).toEqual(hex('00000002 6742 00000004 68ce3c80 00000001 65'));
    for (const size of [1, 2, 4]) expect(splitLengthPrefixed(joinLengthPrefixed(units, size), size)).toEqual(units);
    expect(codecError(() => splitLengthPrefixed(hex('00000005 6742'))).code).toBe('CODEC_TRUNCATED');
    expect(codecError(() => splitLengthPrefixed(hex('000000'))).code).toBe('CODEC_TRUNCATED');
  });
});

describe('H.264', () => {
  it('parses the size of a 4:4:4 SPS with cropping (640x360 from 40x23 macroblocks)', () => {
    expect(parseH264Sps(SPS_444_360P)).toMatchObject({ profileIdc: 244, levelIdc: 30, chromaFormatIdc: 3, width: 640, height: 360 });
  });

  it('parses a High profile 4:2:0 SPS (1920x1080 from 1088 lines)', () => {
    expect(parseH264Sps(SPS_HIGH_1080P)).toMatchObject({ profileIdc: 100, levelIdc: 40, chromaFormatIdc: 1, bitDepthLuma: 8, width: 1920, height: 1080 });
  });

  it('parses a Baseline SPS written by hand (176x144, no cropping)', () => {
    // profile 66, level 10 | sps_id ue 0 | log2_max_frame_num ue 0 | poc type ue 2 | refs ue 1 | gaps 0 |
    // width-1 ue 10 | height-1 ue 8 | frame_mbs_only 1 | direct_8x8 1 | cropping 0 | vui 0 | stop bit
    const sps = hex('42000a da0b1390');
    expect(parseH264Sps(Buffer.concat([hex('67'), sps]))).toMatchObject({ profileIdc: 66, width: 176, height: 144 });
  });

  it('refuses what is not an SPS', () => {
    expect(codecError(() => parseH264Sps(PPS_HIGH_1080P)).code).toBe('CODEC_INVALID');
    expect(codecError(() => parseH264Sps(hex('68eeeeee'))).code).toBe('CODEC_INVALID');
    expect(codecError(() => parseH264Sps(SPS_HIGH_1080P.subarray(0, 8))).code).toBe('CODEC_TRUNCATED');
  });

  it('builds and parses an AVCDecoderConfigurationRecord', () => {
    const record = buildAvcDecoderConfig([SPS_HIGH_1080P], [PPS_HIGH_1080P]);
    expect(record.subarray(0, 8)).toEqual(hex('01 640028 ff e1 001b'));
    // the High-profile tail: chroma 4:2:0, 8-bit, no SPS extensions
    expect(record.subarray(record.length - 4)).toEqual(hex('fdf8f800'));
    const cfg = parseAvcDecoderConfig(record);
    expect(cfg).toMatchObject({ profileIdc: 100, profileCompatibility: 0, levelIdc: 40, lengthSize: 4 });
    expect(cfg.sps).toEqual([SPS_HIGH_1080P]);
    expect(cfg.pps).toEqual([PPS_HIGH_1080P]);
    expect(avcCodecString(SPS_HIGH_1080P)).toBe('avc1.640028');
  });

  it('refuses truncated or unknown records', () => {
    const record = buildAvcDecoderConfig([SPS_444_360P], [PPS_444_360P]);
    expect(codecError(() => parseAvcDecoderConfig(record.subarray(0, 12))).code).toBe('CODEC_TRUNCATED');
    expect(codecError(() => parseAvcDecoderConfig(Buffer.concat([hex('02'), record.subarray(1)]))).code).toBe('CODEC_UNSUPPORTED');
  });

  it('names NAL types and keyframes', () => {
    expect(h264NalType(SPS_HIGH_1080P)).toBe(7);
    expect(isH264Keyframe([hex('09f0'), hex('6588')])).toBe(true);
    expect(isH264Keyframe([hex('419a')])).toBe(false);
  });
});

describe('H.265', () => {
  it('parses an SPS: Main profile, 640x360', () => {
    expect(parseH265Sps(SPS_265)).toMatchObject({ profileIdc: 1, tierFlag: 0, levelIdc: 63, chromaFormatIdc: 1, bitDepthLuma: 8, width: 640, height: 360 });
  });

  it('builds and parses an HEVCDecoderConfigurationRecord', () => {
    const record = buildHevcDecoderConfig([VPS_265], [SPS_265], [PPS_265]);
    expect(record.subarray(0, 13)).toEqual(hex('01 01 60000000 900000000000 3f'));
    expect(record[21]! & 3).toBe(3); // 4-byte lengths
    expect(record[22]).toBe(3);
    const cfg = parseHevcDecoderConfig(record);
    expect(cfg).toMatchObject({ profileIdc: 1, levelIdc: 63, chromaFormatIdc: 1, bitDepthLuma: 8, lengthSize: 4 });
    expect([cfg.vps, cfg.sps, cfg.pps]).toEqual([[VPS_265], [SPS_265], [PPS_265]]);
    expect(codecError(() => parseHevcDecoderConfig(record.subarray(0, record.length - 3))).code).toBe('CODEC_TRUNCATED');
  });

  it('names NAL types and IRAP keyframes', () => {
    expect([h265NalType(VPS_265), h265NalType(SPS_265), h265NalType(PPS_265)]).toEqual([32, 33, 34]);
    expect(isH265Keyframe([hex('2601af')])).toBe(true); // IDR_W_RADL
    expect(isH265Keyframe([hex('2a01af')])).toBe(true); // CRA
    expect(isH265Keyframe([hex('0201d0')])).toBe(false); // TRAIL_R
  });
});

describe('AAC', () => {
  it('parses and builds AudioSpecificConfig', () => {
    expect(parseAacConfig(hex('1210'))).toEqual({ objectType: 2, sampleRate: 44100, channelConfig: 2, channels: 2 });
    expect(buildAacConfig(2, 44100, 2)).toEqual(hex('1210'));
    expect(buildAacConfig(2, 48000, 1)).toEqual(hex('1188'));
    expect(parseAacConfig(buildAacConfig(2, 44056, 1))).toMatchObject({ sampleRate: 44056, channels: 1 }); // explicit rate
    expect(parseAacConfig(buildAacConfig(42, 16000, 1))).toMatchObject({ objectType: 42, sampleRate: 16000 }); // escape for types ≥ 31
  });

  it('reads explicit SBR signalling (HE-AAC)', () => {
    // object type 5, 24 kHz core, stereo, extension rate 48 kHz, then AAC-LC
    const cfg = parseAacConfig(Buffer.from([0b00101011, 0b00010001, 0b10001000, 0]));
    expect(cfg).toMatchObject({ objectType: 2, sampleRate: 24000, extensionSampleRate: 48000, channels: 2 });
  });

  it('refuses reserved sampling frequency indexes and short configs', () => {
    expect(codecError(() => parseAacConfig(hex('16'))).code).toBe('CODEC_TRUNCATED');
    expect(codecError(() => parseAacConfig(hex('1690'))).code).toBe('CODEC_INVALID');
  });

  it('writes ADTS headers that splitAdts reads back', () => {
    const cfg = parseAacConfig(hex('1210'));
    const header = buildAdtsHeader(cfg, 100);
    // LC, index 4, 2 channels, frame length 107, buffer fullness 0x7ff
    expect(header).toEqual(hex('fff150800d7ffc'));
    const a = Buffer.alloc(100, 1);
    const b = Buffer.alloc(7, 2);
    const frames = splitAdts(Buffer.concat([header, a, buildAdtsHeader(cfg, 7), b]));
    expect(frames.map((f) => f.data)).toEqual([a, b]);
    expect(frames[0]!.config).toMatchObject({ objectType: 2, sampleRate: 44100, channels: 2 });
    expect(codecError(() => splitAdts(Buffer.concat([header, a.subarray(1)]))).code).toBe('CODEC_TRUNCATED');
    expect(codecError(() => splitAdts(hex('00112233445566'))).code).toBe('CODEC_INVALID');
  });
});
