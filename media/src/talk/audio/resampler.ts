/**
 * Sample-rate conversion of mono 16-bit audio in a stream of chunks: band-limited interpolation
 * with a Hann-windowed sinc, polyphase for the rational ratio to/from. The low-pass sits at the
 * lower of the two Nyquist frequencies, so 48 kHz → 8 kHz does not alias and 8 kHz → 16 kHz does
 * not image. Each phase's taps sum to 1 (DC passes unchanged). The filter looks ahead
 * `zeroCrossings / scale` input samples: 1 ms at the default 8 zero crossings, whatever the ratio.
 */

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export class Resampler {
  readonly up: number;
  readonly down: number;
  /** Input samples each side of the interpolated point. */
  private readonly half: number;
  /** taps[phase][j] multiplies input sample (centre - half + 1 + j). */
  private readonly taps: Float32Array[];
  /** Pending input (history needed by the filter + not yet consumed); `base` is the global index of its first sample. */
  private buf = new Float32Array(0);
  private base = 0;
  /** Global index of the next output sample. */
  private k = 0;
  private readonly identity: boolean;

  constructor(readonly fromRate: number, readonly toRate: number, zeroCrossings = 8) {
    if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) throw new RangeError('sample rates must be positive integers');
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    this.identity = fromRate === toRate;
    const scale = Math.min(1, toRate / fromRate);
    this.half = Math.ceil(zeroCrossings / scale);
    this.taps = [];
    if (this.identity) return;
    for (let phase = 0; phase < this.up; phase++) {
      const row = new Float32Array(2 * this.half);
      let sum = 0;
      for (let j = 0; j < row.length; j++) {
        const t = j - this.half + 1 - phase / this.up;
        const x = scale * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const w = Math.abs(t) >= this.half ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * t) / this.half);
        row[j] = sinc * w;
        sum += row[j]!;
      }
      for (let j = 0; j < row.length; j++) row[j]! /= sum;
      this.taps.push(row);
    }
  }

  /** Converts the next chunk; returns what can be produced so far (the last ~1 ms waits for more input). */
  push(input: Int16Array): Int16Array {
    if (this.identity) return input;
    const merged = new Float32Array(this.buf.length + input.length);
    merged.set(this.buf);
    for (let i = 0; i < input.length; i++) merged[this.buf.length + i] = input[i]!;
    this.buf = merged;
    const end = this.base + merged.length;
    const out: number[] = [];
    for (;;) {
      const pos = this.k * this.down;
      const centre = Math.floor(pos / this.up);
      if (centre + this.half >= end) break;
      const phase = pos - centre * this.up;
      const row = this.taps[phase]!;
      let acc = 0;
      const first = centre - this.half + 1 - this.base;
      for (let j = 0; j < row.length; j++) {
        const idx = first + j;
        if (idx >= 0) acc += row[j]! * merged[idx]!; // before the stream started: silence
      }
      out.push(acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc));
      this.k++;
    }
    // keep what the next output still needs
    const nextCentre = Math.floor((this.k * this.down) / this.up);
    const keepFrom = Math.max(this.base, nextCentre - this.half + 1);
    this.buf = this.buf.slice(keepFrom - this.base);
    this.base = keepFrom;
    return Int16Array.from(out);
  }
}
