/**
 * AAC framing: ADTS headers, and the few fields of an AudioSpecificConfig that ADTS needs.
 * (A minimal private reader; protocols/src/codecs will own the full AudioSpecificConfig parser.)
 */
import { TsError, TsErrorCode } from './errors.js';

export const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350] as const;
export const ADTS_HEADER_BYTES = 7;

export interface AacConfig {
  /** Audio object type (2 = AAC-LC). */
  objectType: number;
  sampleRateIndex: number;
  sampleRate: number;
  channelConfig: number;
}

/** Reads object type, sample rate and channels from an AudioSpecificConfig (HE-AAC: the core AAC-LC part). */
export function readAacConfig(asc: Uint8Array): AacConfig {
  let bit = 0;
  const read = (n: number): number => {
    if (bit + n > asc.length * 8) throw new TsError(TsErrorCode.BAD_AUDIO, 'AudioSpecificConfig is truncated');
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = v * 2 + ((asc[bit >> 3]! >> (7 - (bit & 7))) & 1);
    return v;
  };
  const objectTypeOf = () => {
    const t = read(5);
    return t === 31 ? 32 + read(6) : t;
  };
  let objectType = objectTypeOf();
  let sampleRateIndex = read(4);
  let sampleRate = sampleRateIndex === 15 ? read(24) : (AAC_SAMPLE_RATES[sampleRateIndex] ?? 0);
  const channelConfig = read(4);
  if (objectType === 5 || objectType === 29) {
    // explicit SBR signalling: the extension rate follows, then the core object type
    const ext = read(4);
    if (ext === 15) read(24);
    objectType = objectTypeOf();
  }
  if (sampleRateIndex === 15) sampleRateIndex = Math.max(0, AAC_SAMPLE_RATES.findIndex((r) => r === sampleRate));
  if (!sampleRate) throw new TsError(TsErrorCode.BAD_AUDIO, `AudioSpecificConfig has reserved sample rate index ${sampleRateIndex}`);
  sampleRate = AAC_SAMPLE_RATES[sampleRateIndex] ?? sampleRate;
  return { objectType, sampleRateIndex, sampleRate, channelConfig };
}

/** A two-byte AudioSpecificConfig for plain AAC. */
export function aacConfigBytes(objectType: number, sampleRateIndex: number, channelConfig: number): Buffer {
  return Buffer.from([(objectType << 3) | (sampleRateIndex >> 1), ((sampleRateIndex & 1) << 7) | (channelConfig << 3)]);
}

/** The 7-byte ADTS header (no CRC) for a raw AAC frame of `payloadBytes`. */
export function adtsHeader(config: AacConfig, payloadBytes: number): Buffer {
  const len = payloadBytes + ADTS_HEADER_BYTES;
  if (len > 0x1fff) throw new TsError(TsErrorCode.BAD_INPUT, `AAC frame of ${payloadBytes} bytes does not fit in ADTS`);
  const profile = Math.min(3, Math.max(0, config.objectType - 1));
  const ch = config.channelConfig & 7;
  return Buffer.from([
    0xff,
    0xf1,
    (profile << 6) | ((config.sampleRateIndex & 0xf) << 2) | (ch >> 2),
    ((ch & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc,
  ]);
}

export interface AdtsFrame {
  config: AacConfig;
  /** Raw AAC payload (header and CRC removed); a view into the input. */
  payload: Uint8Array;
  /** Offset of the frame's header in the input. */
  offset: number;
}

/** Splits a buffer of back-to-back ADTS frames. A trailing incomplete frame is ignored. */
export function parseAdtsFrames(buf: Uint8Array): AdtsFrame[] {
  const frames: AdtsFrame[] = [];
  let pos = 0;
  while (pos + ADTS_HEADER_BYTES <= buf.length) {
    if (buf[pos] !== 0xff || (buf[pos + 1]! & 0xf6) !== 0xf0) throw new TsError(TsErrorCode.BAD_AUDIO, 'ADTS sync word missing', pos);
    const protectionAbsent = buf[pos + 1]! & 1;
    const profile = buf[pos + 2]! >> 6;
    const sampleRateIndex = (buf[pos + 2]! >> 2) & 0xf;
    const channelConfig = ((buf[pos + 2]! & 1) << 2) | (buf[pos + 3]! >> 6);
    const len = ((buf[pos + 3]! & 3) << 11) | (buf[pos + 4]! << 3) | (buf[pos + 5]! >> 5);
    const headerLen = protectionAbsent ? 7 : 9;
    const sampleRate = AAC_SAMPLE_RATES[sampleRateIndex];
    if (len < headerLen || sampleRate === undefined) throw new TsError(TsErrorCode.BAD_AUDIO, 'ADTS header is invalid', pos);
    if (pos + len > buf.length) break;
    frames.push({
      config: { objectType: profile + 1, sampleRateIndex, sampleRate, channelConfig },
      payload: buf.subarray(pos + headerLen, pos + len),
      offset: pos,
    });
    pos += len;
  }
  return frames;
}
