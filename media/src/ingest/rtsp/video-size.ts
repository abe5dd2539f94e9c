/**
 * Width and height from an H.264 or H.265 SPS. A private, minimal reader: replace with the
 * parsers of protocols/src/codecs (parseH264Sps / parseH265Sps) once they are exported.
 * Returns undefined for anything it cannot read.
 */
import type { VideoCodec } from '../../hub/index.js';

class Bits {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) {
      if (this.pos >= this.buf.length * 8) throw new RangeError('SPS ended early');
      v = v * 2 + ((this.buf[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1);
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

/** Removes emulation prevention bytes (00 00 03 → 00 00). */
function rbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]!);
  }
  return Buffer.from(out);
}

const HIGH = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function h264Size(sps: Buffer): { width: number; height: number } {
  const r = new Bits(rbsp(sps.subarray(1)));
  const profile = r.u(8);
  r.u(16);
  r.ue();
  let chroma = 1;
  let separate = 0;
  if (HIGH.has(profile)) {
    chroma = r.ue();
    if (chroma === 3) separate = r.u(1);
    r.ue();
    r.ue();
    r.u(1);
    if (r.u(1)) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (!r.u(1)) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue();
  const poc = r.ue();
  if (poc === 0) r.ue();
  else if (poc === 1) {
    r.u(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue();
  r.u(1);
  const w = r.ue() + 1;
  const h = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.u(1);
  r.u(1);
  let [cl, cr, ct, cb] = [0, 0, 0, 0];
  if (r.u(1)) [cl, cr, ct, cb] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const mono = chroma === 0 || separate === 1;
  const cropX = mono ? 1 : chroma === 3 ? 1 : 2;
  const cropY = (mono ? 1 : chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
  return { width: w * 16 - cropX * (cl + cr), height: (2 - frameMbsOnly) * h * 16 - cropY * (ct + cb) };
}

function h265Size(sps: Buffer): { width: number; height: number } {
  const r = new Bits(rbsp(sps.subarray(2)));
  r.u(4);
  const maxSub = r.u(3);
  r.u(1);
  r.u(96); // general profile_tier_level
  const present: Array<[number, number]> = [];
  for (let i = 0; i < maxSub; i++) present.push([r.u(1), r.u(1)]);
  if (maxSub > 0) for (let i = maxSub; i < 8; i++) r.u(2);
  for (const [p, l] of present) {
    if (p) r.u(88);
    if (l) r.u(8);
  }
  r.ue();
  const chroma = r.ue();
  if (chroma === 3) r.u(1);
  let width = r.ue();
  let height = r.ue();
  if (r.u(1)) {
    const subW = chroma === 1 || chroma === 2 ? 2 : 1;
    const subH = chroma === 1 ? 2 : 1;
    const [l, rt, t, b] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= subW * (l + rt);
    height -= subH * (t + b);
  }
  return { width, height };
}

export function videoSize(codec: VideoCodec, parameterSets: readonly Buffer[]): { width: number; height: number } | undefined {
  const sps = parameterSets.find((p) => (codec === 'H264' ? (p[0]! & 0x1f) === 7 : ((p[0]! >> 1) & 0x3f) === 33));
  if (!sps) return undefined;
  try {
    const size = codec === 'H264' ? h264Size(sps) : h265Size(sps);
    return size.width > 0 && size.height > 0 && size.width <= 16384 && size.height <= 16384 ? size : undefined;
  } catch {
    return undefined;
  }
}
