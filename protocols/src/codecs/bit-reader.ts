import { CodecError, CodecErrorCode } from './errors.js';

/** Reads bits MSB first, with Exp-Golomb codes (ue/se) as used in H.264/H.265 parameter sets. */
export class BitReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.pos;
  }

  bit(): number {
    if (this.pos >= this.buf.length * 8) throw new CodecError(CodecErrorCode.TRUNCATED, 'bitstream ended early');
    const b = (this.buf[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  /** Up to 32 bits as an unsigned number. */
  bits(n: number): number {
    if (n > this.bitsLeft) throw new CodecError(CodecErrorCode.TRUNCATED, 'bitstream ended early');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new CodecError(CodecErrorCode.TRUNCATED, 'bitstream ended early');
    this.pos += n;
  }

  /** Unsigned Exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new CodecError(CodecErrorCode.INVALID, 'Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** The RBSP of a NAL unit: the bytes with emulation-prevention bytes (00 00 03) removed. */
export function nalToRbsp(nal: Uint8Array): Buffer {
  const out = Buffer.alloc(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}
