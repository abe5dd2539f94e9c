/**
 * Test tones and their measurement, for talk tests and the talk benchmark: a sine generator with
 * a continuous phase across chunks, and a frequency estimate by zero crossings (robust through
 * G.711, resampling and AAC/Opus, which keep a pure tone's period).
 */

export class ToneGenerator {
  private phase = 0;
  constructor(readonly frequency: number, readonly sampleRate: number, readonly amplitude = 12000) {}

  next(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const step = (2 * Math.PI * this.frequency) / this.sampleRate;
    for (let i = 0; i < samples; i++) {
      out[i] = Math.round(this.amplitude * Math.sin(this.phase));
      this.phase += step;
    }
    this.phase %= 2 * Math.PI;
    return out;
  }
}

/** Frequency (Hz) of the dominant tone in `samples`, by counting sign changes (with a small hysteresis). */
export function measureToneHz(samples: Int16Array, sampleRate: number): number {
  const threshold = 200;
  let state = 0;
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const next = s > threshold ? 1 : s < -threshold ? -1 : state;
    if (state !== 0 && next !== state) {
      crossings++;
      if (first < 0) first = i;
      last = i;
    }
    state = next;
  }
  if (crossings < 2) return 0;
  return ((crossings - 1) / 2) * (sampleRate / (last - first));
}

/** Root mean square of `samples` (0 – 32768). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}
