import { BitReader } from './bit-reader.js';
import { CodecError, CodecErrorCode } from './errors.js';

export const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350] as const;

/** AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the AAC sequence header of FLV and MP4. */
export interface AacConfig {
  /** Audio object type: 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS (HE-AACv2), … */
  objectType: number;
  /** Sampling rate of the core coder. */
  sampleRate: number;
  /** channelConfiguration: 1–6 channels, 7 = 8 channels, 0 = defined in the stream. */
  channelConfig: number;
  channels: number;
  /** Output rate when SBR is signalled explicitly (object type 5 or 29). */
  extensionSampleRate?: number;
}

export function parseAacConfig(data: Uint8Array): AacConfig {
  if (data.length < 2) throw new CodecError(CodecErrorCode.TRUNCATED, 'AudioSpecificConfig too short');
  const r = new BitReader(data);
  let objectType = readObjectType(r);
  const sampleRate = readSampleRate(r);
  const channelConfig = r.bits(4);
  const cfg: AacConfig = { objectType, sampleRate, channelConfig, channels: channelConfig === 7 ? 8 : channelConfig };
  if (objectType === 5 || objectType === 29) {
    cfg.extensionSampleRate = readSampleRate(r);
    objectType = readObjectType(r);
    cfg.objectType = objectType;
  }
  return cfg;
}

function readObjectType(r: BitReader): number {
  const t = r.bits(5);
  return t === 31 ? 32 + r.bits(6) : t;
}

function readSampleRate(r: BitReader): number {
  const index = r.bits(4);
  if (index === 15) return r.bits(24);
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new CodecError(CodecErrorCode.INVALID, `reserved sampling frequency index ${index}`);
  return rate;
}

/** Builds a plain AudioSpecificConfig (no SBR signalling): 2 bytes for the standard rates. */
export function buildAacConfig(objectType: number, sampleRate: number, channelConfig: number): Buffer {
  // 31 is the escape value, not a type
  if (objectType < 1 || objectType > 95 || objectType === 31 || channelConfig < 0 || channelConfig > 15) {
    throw new CodecError(CodecErrorCode.INVALID, 'AAC object type or channel configuration out of range');
  }
  const bits: Array<[number, number]> = [];
  if (objectType > 31) bits.push([31, 5], [objectType - 32, 6]);
  else bits.push([objectType, 5]);
  const index = AAC_SAMPLE_RATES.indexOf(sampleRate as (typeof AAC_SAMPLE_RATES)[number]);
  if (index >= 0) bits.push([index, 4]);
  else {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate >= 2 ** 24) throw new CodecError(CodecErrorCode.INVALID, `sample rate ${sampleRate}`);
    bits.push([15, 4], [sampleRate, 24]);
  }
  bits.push([channelConfig, 4]);
  return packBits(bits);
}

/** Samples per AAC frame (1024 for AAC-LC; 2048 at the output rate with SBR). */
export const AAC_FRAME_SAMPLES = 1024;

/** A 7-byte ADTS header (no CRC) for one raw AAC frame of `payloadLength` bytes. */
export function buildAdtsHeader(config: AacConfig, payloadLength: number): Buffer {
  const index = AAC_SAMPLE_RATES.indexOf(config.sampleRate as (typeof AAC_SAMPLE_RATES)[number]);
  if (index < 0) throw new CodecError(CodecErrorCode.UNSUPPORTED, `ADTS cannot carry sample rate ${config.sampleRate}`);
  const profile = Math.min(Math.max(config.objectType, 1), 4) - 1;
  const frameLength = payloadLength + 7;
  if (frameLength > 0x1fff) throw new CodecError(CodecErrorCode.INVALID, 'AAC frame too long for ADTS');
  const channelConfig = config.channelConfig & 7;
  return Buffer.from([
    0xff,
    0xf1,
    (profile << 6) | (index << 2) | (channelConfig >> 2),
    ((channelConfig & 3) << 6) | (frameLength >> 11),
    (frameLength >> 3) & 0xff,
    ((frameLength & 7) << 5) | 0x1f,
    0xfc,
  ]);
}

export interface AdtsFrame {
  config: AacConfig;
  /** The raw AAC frame, header removed. */
  data: Buffer;
}

/** Splits ADTS-framed AAC into raw frames; a cut-off last frame is an error. */
export function splitAdts(data: Uint8Array): AdtsFrame[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const frames: AdtsFrame[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + 7 > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'ADTS header cut off');
    if (buf[off] !== 0xff || (buf[off + 1]! & 0xf6) !== 0xf0) throw new CodecError(CodecErrorCode.INVALID, 'ADTS sync word missing');
    const protectionAbsent = buf[off + 1]! & 1;
    const objectType = (buf[off + 2]! >> 6) + 1;
    const index = (buf[off + 2]! >> 2) & 0x0f;
    const channelConfig = ((buf[off + 2]! & 1) << 2) | (buf[off + 3]! >> 6);
    const frameLength = ((buf[off + 3]! & 3) << 11) | (buf[off + 4]! << 3) | (buf[off + 5]! >> 5);
    const headerLength = protectionAbsent ? 7 : 9;
    const sampleRate = AAC_SAMPLE_RATES[index];
    if (sampleRate === undefined) throw new CodecError(CodecErrorCode.INVALID, `reserved sampling frequency index ${index}`);
    if (frameLength < headerLength) throw new CodecError(CodecErrorCode.INVALID, 'ADTS frame length shorter than its header');
    if (off + frameLength > buf.length) throw new CodecError(CodecErrorCode.TRUNCATED, 'ADTS frame cut off');
    frames.push({
      config: { objectType, sampleRate, channelConfig, channels: channelConfig === 7 ? 8 : channelConfig },
      data: buf.subarray(off + headerLength, off + frameLength),
    });
    off += frameLength;
  }
  return frames;
}

function packBits(fields: Array<[number, number]>): Buffer {
  const total = fields.reduce((n, [, w]) => n + w, 0);
  const out = Buffer.alloc(Math.ceil(total / 8));
  let pos = 0;
  for (const [value, width] of fields) {
    for (let i = width - 1; i >= 0; i--) {
      if (Math.floor(value / 2 ** i) % 2) out[pos >> 3]! |= 0x80 >> (pos & 7);
      pos++;
    }
  }
  return out;
}
