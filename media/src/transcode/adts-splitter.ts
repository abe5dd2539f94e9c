/**
 * ADTS frames out of a byte stream that arrives in arbitrary chunks (an encoder's stdout): keeps
 * at most one partial frame, skips bytes that do not start a frame (resynchronising on the next
 * sync word), and never holds more than one maximal ADTS frame (8 KiB).
 */
import { AAC_SAMPLE_RATES } from '@argus/protocols';

export interface AdtsOut {
  /** The raw AAC frame (header removed). */
  data: Buffer;
  objectType: number;
  sampleRate: number;
  channelConfig: number;
}

export class AdtsSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes skipped while looking for a sync word. */
  skipped = 0;

  push(chunk: Buffer): AdtsOut[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: AdtsOut[] = [];
    let off = 0;
    while (buf.length - off >= 7) {
      if (buf[off] !== 0xff || (buf[off + 1]! & 0xf6) !== 0xf0) {
        off++;
        this.skipped++;
        continue;
      }
      const protectionAbsent = buf[off + 1]! & 1;
      const index = (buf[off + 2]! >> 2) & 0x0f;
      const sampleRate = AAC_SAMPLE_RATES[index];
      const frameLength = ((buf[off + 3]! & 3) << 11) | (buf[off + 4]! << 3) | (buf[off + 5]! >> 5);
      const headerLength = protectionAbsent ? 7 : 9;
      if (sampleRate === undefined || frameLength < headerLength) {
        off++;
        this.skipped++;
        continue;
      }
      if (buf.length - off < frameLength) break;
      out.push({
        data: Buffer.from(buf.subarray(off + headerLength, off + frameLength)),
        objectType: (buf[off + 2]! >> 6) + 1,
        sampleRate,
        channelConfig: ((buf[off + 2]! & 1) << 2) | (buf[off + 3]! >> 6),
      });
      off += frameLength;
    }
    buf = buf.subarray(off);
    this.pending = Buffer.from(buf);
    return out;
  }
}
