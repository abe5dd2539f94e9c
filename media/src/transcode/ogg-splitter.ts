/**
 * Packets out of an Ogg bitstream that arrives in arbitrary chunks (an encoder's stdout), for one
 * logical stream (Ogg Opus as ffmpeg writes it): keeps at most one partial page, resynchronises on
 * the next "OggS" capture pattern after garbage, and reassembles packets that span pages. A
 * packet growing past `maxPacketBytes` is dropped.
 */
const CAPTURE = Buffer.from('OggS');

export class OggSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Bytes skipped while looking for a page. */
  skipped = 0;

  constructor(private readonly maxPacketBytes = 64 << 10) {}

  push(chunk: Buffer): Buffer[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let off = 0;
    while (buf.length - off >= 27) {
      if (buf[off] !== 0x4f || !buf.subarray(off, off + 4).equals(CAPTURE) || buf[off + 4] !== 0) {
        const next = buf.indexOf(CAPTURE, off + 1);
        const to = next < 0 ? buf.length - 3 : next;
        this.skipped += to - off;
        off = to;
        continue;
      }
      const segments = buf[off + 26]!;
      if (buf.length - off < 27 + segments) break;
      let bodyLength = 0;
      for (let i = 0; i < segments; i++) bodyLength += buf[off + 27 + i]!;
      const pageLength = 27 + segments + bodyLength;
      if (buf.length - off < pageLength) break;
      const continued = (buf[off + 5]! & 1) !== 0;
      if (!continued) this.resetPartial();
      let p = off + 27 + segments;
      for (let i = 0; i < segments; i++) {
        const lace = buf[off + 27 + i]!;
        this.append(buf.subarray(p, p + lace));
        p += lace;
        if (lace < 255) {
          if (this.partialBytes <= this.maxPacketBytes) out.push(Buffer.concat(this.partial, this.partialBytes));
          this.resetPartial();
        }
      }
      off += pageLength;
    }
    this.pending = Buffer.from(buf.subarray(off));
    return out;
  }

  private append(bytes: Buffer) {
    if (this.partialBytes > this.maxPacketBytes) return;
    this.partial.push(bytes);
    this.partialBytes += bytes.length;
  }

  private resetPartial() {
    this.partial = [];
    this.partialBytes = 0;
  }
}
