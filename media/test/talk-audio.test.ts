/**
 * Talk audio conversion: G.711 encoding against ffmpeg's, resampling keeps a tone's frequency and
 * level without aliasing, and every converter path (TypeScript L16/G.711, ffmpeg AAC and Opus)
 * carries a tone from one codec to another with its frequency intact.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  createAudioConverter, l16ToSamples, measureToneHz, rms, Resampler, samplesToL16, ToneGenerator, type AudioFormat, type EncodedAudio,
} from '../src/talk/index.js';
import { encodeG711, g711ToSamples } from '../src/transcode/g711.js';
import { FFMPEG_PATH } from '../src/transcode/aac-encoder.js';

function ffmpegEncode(codec: 'pcm_alaw' | 'pcm_mulaw', pcm: Int16Array): Buffer {
  const r = spawnSync(FFMPEG_PATH, ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-c:a', codec, '-f', codec === 'pcm_alaw' ? 'alaw' : 'mulaw', 'pipe:1'], {
    input: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
  });
  return r.stdout;
}

describe('G.711 encoding', () => {
  const ramp = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  // the ITU reference encoder truncates, ffmpeg rounds to the nearest level: they differ only at level boundaries
  it.each([['PCMA', 'pcm_alaw'], ['PCMU', 'pcm_mulaw']] as const)('%s encodes every 16-bit sample as ffmpeg does, or to the neighbouring level', (codec, ff) => {
    const mine = encodeG711(codec, ramp);
    const theirs = ffmpegEncode(ff, ramp);
    expect(theirs.length).toBe(ramp.length);
    const a = g711ToSamples(codec, mine);
    const b = g711ToSamples(codec, theirs);
    let differ = 0;
    for (let i = 0; i < ramp.length; i++) {
      if (mine[i] === theirs[i]) continue;
      differ++;
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(Math.max(16, Math.abs(ramp[i]!) / 15));
    }
    expect(differ / ramp.length).toBeLessThan(0.02);
  });
  it.each(['PCMA', 'PCMU'] as const)('%s decodes what it encodes within one quantisation step', (codec) => {
    const tone = new ToneGenerator(1000, 8000, 20000).next(800);
    const back = g711ToSamples(codec, encodeG711(codec, tone));
    for (let i = 0; i < tone.length; i++) expect(Math.abs(back[i]! - tone[i]!)).toBeLessThanOrEqual(Math.max(16, Math.abs(tone[i]!) / 16));
  });
});

describe('resampler', () => {
  const through = (from: number, to: number, hz: number, seconds = 1, chunk = from / 50) => {
    const r = new Resampler(from, to);
    const gen = new ToneGenerator(hz, from);
    const out: number[] = [];
    for (let i = 0; i < (from * seconds) / chunk; i++) out.push(...r.push(gen.next(chunk)));
    return Int16Array.from(out);
  };

  it.each([
    [8000, 16000, 1000], [16000, 8000, 1000], [48000, 8000, 440], [8000, 48000, 1000], [44100, 8000, 700], [8000, 44100, 700],
  ])('%i Hz → %i Hz keeps a %i Hz tone (frequency, level, length)', (from, to, hz) => {
    const out = through(from, to, hz);
    expect(Math.abs(out.length - to)).toBeLessThan(to * 0.01);
    const body = out.subarray(Math.floor(to * 0.1));
    expect(measureToneHz(body, to)).toBeCloseTo(hz, -1);
    expect(rms(body) / (12000 / Math.SQRT2)).toBeGreaterThan(0.9);
  });

  it('filters what the lower rate cannot carry instead of aliasing it (6 kHz at 48 kHz → 8 kHz)', () => {
    const out = through(48000, 8000, 6000);
    expect(rms(out.subarray(800))).toBeLessThan(300);
  });
});

describe('audio converter', () => {
  const TONE = 1000;

  /** Feeds 2 s of a tone as 20 ms frames of `from`, collects `to` and decodes it back to samples at `rate`. */
  async function convert(from: AudioFormat, to: AudioFormat, encodeIn: (s: Int16Array) => Buffer, decodeOut: (frames: EncodedAudio[]) => Promise<Int16Array>) {
    const out: EncodedAudio[] = [];
    const errors: string[] = [];
    const conv = createAudioConverter(from, to, (f) => out.push(f), { onError: (m) => errors.push(m) });
    const gen = new ToneGenerator(TONE, from.sampleRate);
    const frameSamples = from.codec === 'AAC' ? 1024 : from.sampleRate / 50;
    const frames = await inputFrames(from, encodeIn, gen, frameSamples);
    let t = 0;
    for (const payload of frames) {
      conv.push({ payload, timestamp: t });
      t += (frameSamples * 1000) / from.sampleRate;
      await new Promise((r) => setTimeout(r, 2));
    }
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && totalMs(out, to) < 1500) await new Promise((r) => setTimeout(r, 50));
    conv.close();
    expect(errors).toEqual([]);
    for (let i = 1; i < out.length; i++) expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp);
    return decodeOut(out);
  }

  const totalMs = (frames: EncodedAudio[], f: AudioFormat) =>
    f.codec === 'AAC' ? (frames.length * 1024 * 1000) / f.sampleRate : f.codec === 'OPUS' ? frames.length * 20 : frames.length ? frames[frames.length - 1]!.timestamp - frames[0]!.timestamp : 0;

  async function inputFrames(from: AudioFormat, encodeIn: (s: Int16Array) => Buffer, gen: ToneGenerator, frameSamples: number): Promise<Buffer[]> {
    if (from.codec === 'AAC' || from.codec === 'OPUS') {
      // encode 2 s with a converter from L16 (the other direction of the same code)
      const enc: EncodedAudio[] = [];
      const c = createAudioConverter({ codec: 'L16', sampleRate: from.sampleRate, channels: 1 }, from, (f) => enc.push(f));
      for (let i = 0; i < 100; i++) c.push({ payload: samplesToL16(gen.next(from.sampleRate / 50)), timestamp: i * 20 });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && enc.length < (from.codec === 'AAC' ? (2 * from.sampleRate) / 1024 - 3 : 95)) await new Promise((r) => setTimeout(r, 50));
      c.close();
      return enc.map((f) => f.payload);
    }
    return Array.from({ length: (2 * from.sampleRate) / frameSamples }, () => encodeIn(gen.next(frameSamples)));
  }

  /** Decodes with another converter to L16 at the format's rate. */
  const viaConverter = (f: AudioFormat) => async (frames: EncodedAudio[]) => {
    if (f.codec === 'L16') return l16ToSamples(Buffer.concat(frames.map((x) => x.payload)));
    const pcm: Buffer[] = [];
    const c = createAudioConverter(f, { codec: 'L16', sampleRate: 8000, channels: 1 }, (x) => pcm.push(x.payload));
    frames.forEach((x) => c.push(x));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && pcm.reduce((n, b) => n + b.length, 0) < 8000 * 2 * 1.0) await new Promise((r) => setTimeout(r, 50));
    c.close();
    return l16ToSamples(Buffer.concat(pcm));
  };

  const l16 = (rate: number): AudioFormat => ({ codec: 'L16', sampleRate: rate, channels: 1 });
  const cases: Array<[AudioFormat, AudioFormat]> = [
    [l16(16000), { codec: 'PCMU', sampleRate: 8000, channels: 1 }],
    [{ codec: 'PCMA', sampleRate: 8000, channels: 1 }, l16(16000)],
    [{ codec: 'PCMA', sampleRate: 8000, channels: 1 }, { codec: 'PCMU', sampleRate: 8000, channels: 1 }],
    [l16(8000), { codec: 'AAC', sampleRate: 16000, channels: 1 }],
    [{ codec: 'AAC', sampleRate: 16000, channels: 1 }, { codec: 'PCMU', sampleRate: 8000, channels: 1 }],
    [{ codec: 'OPUS', sampleRate: 48000, channels: 1 }, { codec: 'PCMA', sampleRate: 8000, channels: 1 }],
    [{ codec: 'PCMU', sampleRate: 8000, channels: 1 }, { codec: 'OPUS', sampleRate: 48000, channels: 1 }],
  ];

  it.each(cases)('%o → %o keeps a 1 kHz tone', async (from, to) => {
    const encodeIn = (s: Int16Array) => (from.codec === 'L16' ? samplesToL16(s) : encodeG711(from.codec as 'PCMA' | 'PCMU', s));
    const samples = await convert(from, to, encodeIn, viaConverter(to));
    const rate = to.codec === 'L16' ? to.sampleRate : 8000;
    expect(samples.length).toBeGreaterThan(rate);
    const body = samples.subarray(Math.floor(rate * 0.2));
    expect(measureToneHz(body, rate)).toBeCloseTo(TONE, -1);
    expect(rms(body)).toBeGreaterThan(4000);
  }, 30_000);

  it('passes identical formats through untouched', () => {
    const out: EncodedAudio[] = [];
    const f: AudioFormat = { codec: 'PCMU', sampleRate: 8000, channels: 1 };
    const conv = createAudioConverter(f, f, (x) => out.push(x));
    const frame = { payload: Buffer.from([1, 2, 3]), timestamp: 42 };
    conv.push(frame);
    expect(out).toEqual([frame]);
  });
});
