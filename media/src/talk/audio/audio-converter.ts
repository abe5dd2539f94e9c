/**
 * Talk audio from one codec to another, frame by frame: decode to mono 16-bit PCM, resample,
 * encode. L16 and G.711 are coded here in TypeScript; AAC and Opus go through ffmpeg (AAC
 * decoding and Opus both ways in an FfmpegAudioPipe, AAC encoding in the AacEncoderProcess the HLS
 * transcoder uses). Identical formats pass through untouched.
 *
 * Output is emitted as soon as it exists (no fixed framing for L16/G.711: every input frame gives
 * one output frame), so a converter adds the resampler's ~1 ms look-ahead and, with ffmpeg, the
 * codec's own delay. Output timestamps run on the output's sample clock, anchored at the first
 * input frame and re-anchored when the input jumps ahead (the talker paused).
 */
import {
  buildAacConfig, buildAdtsHeader, buildOggPage, buildOpusHead, buildOpusTags, isOpusHeaderPacket, opusSamples, parseAacConfig,
  OGG_HEADER_BOS, AAC_FRAME_SAMPLES, type AacConfig,
} from '@argus/protocols';
import { talkRateSupported } from '@argus/platform';
import { OggSplitter } from '../../transcode/ogg-splitter.js';
import { AacEncoderProcess } from '../../transcode/aac-encoder.js';
import { FfmpegAudioPipe } from '../../transcode/ffmpeg-audio-pipe.js';
import { encodeG711, g711ToSamples } from '../../transcode/g711.js';
import type { TalkCodec } from '../talk-leg.js';
import { Resampler } from './resampler.js';

export interface AudioFormat {
  codec: TalkCodec;
  sampleRate: number;
  channels: number;
  /** AAC: the AudioSpecificConfig (default AAC-LC at sampleRate/channels). */
  config?: Buffer;
}

export interface EncodedAudio {
  payload: Buffer;
  /** Milliseconds. */
  timestamp: number;
}

export interface AudioConverter {
  readonly from: AudioFormat;
  readonly to: AudioFormat;
  push(frame: EncodedAudio): void;
  close(): void;
}

export interface AudioConverterOptions {
  ffmpegPath?: string;
  /** ffmpeg failed: the converter emits nothing from now on. */
  onError?(message: string): void;
}

export const describeFormat = (f: AudioFormat) => `${f.codec}/${f.sampleRate}${f.channels > 1 ? `/${f.channels}` : ''}`;

export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.codec === b.codec && a.sampleRate === b.sampleRate && a.channels === b.channels;
}

/** Sample rates each codec is carried at (the platform's list, shared with the control plane). */
export const supportedRate = (codec: TalkCodec, rate: number): boolean => talkRateSupported(codec, rate);

export function createAudioConverter(from: AudioFormat, to: AudioFormat, emit: (out: EncodedAudio) => void, o: AudioConverterOptions = {}): AudioConverter {
  if (sameFormat(from, to)) return { from, to, push: (f) => emit(f), close: () => undefined };
  return new Transcoder(from, to, emit, o);
}

// ---------------------------------------------------------------------------------------------

/** Maps output sample counts to timestamps. */
class SampleClock {
  private anchor: number | null = null;
  private samples = 0;
  constructor(private readonly rate: number) {}

  /** Called per input frame; re-anchors when the input runs more than 200 ms ahead of the output. */
  input(ts: number): void {
    if (this.anchor === null) this.anchor = ts;
    else if (ts - this.now() > 200) {
      this.anchor = ts;
      this.samples = 0;
    }
  }

  private now(): number {
    return (this.anchor ?? 0) + (this.samples * 1000) / this.rate;
  }

  /** Timestamp of the next `n` output samples. */
  stamp(n: number): number {
    const t = this.now();
    this.samples += n;
    return t;
  }
}

function downmix(interleaved: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return interleaved;
  const n = Math.floor(interleaved.length / channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += interleaved[i * channels + c]!;
    out[i] = Math.round(s / channels);
  }
  return out;
}

/** Big-endian L16 bytes → samples. */
export function l16ToSamples(bytes: Buffer): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16BE(i * 2);
  return out;
}

/** Samples → big-endian L16 bytes. */
export function samplesToL16(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16BE(samples[i]!, i * 2);
  return out;
}

function samplesToS16le(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

function s16leToSamples(bytes: Buffer): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

const OPUS_RATE = 48000;

class Transcoder implements AudioConverter {
  private closed = false;
  private failed = false;
  private readonly clock: SampleClock;
  private resampler: Resampler | null = null;
  /** Async decoder (AAC, Opus): ffmpeg outputs s16le mono at the output rate. */
  private decoder: FfmpegAudioPipe | null = null;
  private decoderRest = Buffer.alloc(0);
  private aacIn: AacConfig | null = null;
  private oggOut: { serial: number; sequence: number; granule: bigint } | null = null;
  private aacEncoder: AacEncoderProcess | null = null;
  private opusEncoder: FfmpegAudioPipe | null = null;
  private opusReader: OggSplitter | null = null;

  constructor(readonly from: AudioFormat, readonly to: AudioFormat, private readonly emit: (out: EncodedAudio) => void, private readonly o: AudioConverterOptions) {
    this.clock = new SampleClock(to.sampleRate);
    if (from.codec === 'AAC' || from.codec === 'OPUS') this.startDecoder();
    else if (from.sampleRate !== to.sampleRate) this.resampler = new Resampler(from.sampleRate, to.sampleRate);
    if (to.codec === 'AAC') this.startAacEncoder();
    if (to.codec === 'OPUS') this.startOpusEncoder();
  }

  push(frame: EncodedAudio): void {
    if (this.closed || this.failed || frame.payload.length === 0) return;
    this.clock.input(frame.timestamp);
    switch (this.from.codec) {
      case 'PCMA':
      case 'PCMU':
        return this.pcm(downmix(g711ToSamples(this.from.codec, frame.payload), this.from.channels));
      case 'L16':
        return this.pcm(downmix(l16ToSamples(frame.payload), this.from.channels));
      case 'AAC': {
        if (frame.payload.length > 8184) return; // not an AAC frame ADTS can carry
        this.decoder?.write(Buffer.concat([buildAdtsHeader(this.aacIn!, frame.payload.length), frame.payload]));
        return;
      }
      case 'OPUS': {
        const ogg = this.oggOut!;
        ogg.granule += BigInt(opusSamples(frame.payload));
        this.decoder?.write(buildOggPage({ headerType: 0, granule: ogg.granule, serial: ogg.serial, sequence: ogg.sequence++, packets: [frame.payload] }));
        return;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder?.close();
    this.aacEncoder?.close();
    this.opusEncoder?.close();
  }

  private fail(message: string) {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.o.onError?.(message);
  }

  /** Decoded input at the input rate (sync decoders). */
  private pcm(samples: Int16Array) {
    this.encode(this.resampler ? this.resampler.push(samples) : samples);
  }

  /** Mono samples at the output rate → the output codec. */
  private encode(samples: Int16Array) {
    if (samples.length === 0 || this.closed) return;
    switch (this.to.codec) {
      case 'PCMA':
      case 'PCMU':
        return this.emit({ payload: encodeG711(this.to.codec, samples), timestamp: this.clock.stamp(samples.length) });
      case 'L16':
        return this.emit({ payload: samplesToL16(samples), timestamp: this.clock.stamp(samples.length) });
      case 'AAC':
        this.aacEncoder?.write(samplesToS16le(samples));
        return;
      case 'OPUS':
        this.opusEncoder?.write(samplesToS16le(samples));
        return;
    }
  }

  private startDecoder() {
    const f = this.from;
    let input: string[];
    if (f.codec === 'AAC') {
      this.aacIn = parseAacConfig(f.config && f.config.length >= 2 ? f.config : buildAacConfig(2, f.sampleRate, Math.min(2, Math.max(1, f.channels))));
      input = ['-f', 'aac', '-i', 'pipe:0'];
    } else {
      // Opus packets go to ffmpeg in Ogg: the two header pages first
      const serial = 0x41726775; // "Argu"
      this.oggOut = { serial, sequence: 0, granule: 0n };
      input = ['-f', 'ogg', '-i', 'pipe:0'];
    }
    this.decoder = new FfmpegAudioPipe({
      input,
      output: ['-f', 's16le', '-ac', '1', '-ar', String(this.to.sampleRate), 'pipe:1'],
      ...(this.o.ffmpegPath ? { ffmpegPath: this.o.ffmpegPath } : {}),
      onData: (d) => {
        const all = this.decoderRest.length ? Buffer.concat([this.decoderRest, d]) : d;
        const whole = all.length & ~1;
        this.decoderRest = Buffer.from(all.subarray(whole));
        if (whole) this.encode(s16leToSamples(all.subarray(0, whole)));
      },
      onExit: (error) => error && this.fail(`${f.codec} decoder: ${error}`),
    });
    if (this.oggOut) {
      const ogg = this.oggOut;
      this.decoder.write(buildOggPage({ headerType: OGG_HEADER_BOS, granule: 0n, serial: ogg.serial, sequence: ogg.sequence++, packets: [buildOpusHead(Math.min(2, Math.max(1, f.channels)), 0, f.sampleRate)] }));
      this.decoder.write(buildOggPage({ headerType: 0, granule: 0n, serial: ogg.serial, sequence: ogg.sequence++, packets: [buildOpusTags('argus')] }));
    }
  }

  private startAacEncoder() {
    this.aacEncoder = new AacEncoderProcess({
      sampleRate: this.to.sampleRate,
      channels: 1,
      ...(this.o.ffmpegPath ? { ffmpegPath: this.o.ffmpegPath } : {}),
      onFrame: (f) => this.emit({ payload: f.data, timestamp: this.clock.stamp(AAC_FRAME_SAMPLES) }),
      onExit: (error) => error && this.fail(`AAC encoder: ${error}`),
    });
  }

  private startOpusEncoder() {
    this.opusReader = new OggSplitter();
    this.opusEncoder = new FfmpegAudioPipe({
      input: ['-f', 's16le', '-ar', String(this.to.sampleRate), '-ac', '1', '-i', 'pipe:0'],
      output: ['-c:a', 'libopus', '-application', 'voip', '-frame_duration', '20', '-b:a', '32k', '-f', 'ogg', '-page_duration', '20000', 'pipe:1'],
      ...(this.o.ffmpegPath ? { ffmpegPath: this.o.ffmpegPath } : {}),
      onData: (d) => {
        for (const packet of this.opusReader!.push(d)) {
          if (isOpusHeaderPacket(packet)) continue;
          const samples = opusSamples(packet) || 960;
          this.emit({ payload: packet, timestamp: this.clock.stamp((samples * this.to.sampleRate) / OPUS_RATE) });
        }
      },
      onExit: (error) => error && this.fail(`Opus encoder: ${error}`),
    });
  }
}
