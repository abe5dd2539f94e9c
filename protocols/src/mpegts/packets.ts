/** TS packets: 188 bytes, header, adaptation field (PCR, random access, stuffing), payload. */

export const TS_PACKET_BYTES = 188;
export const PTS_WRAP = 2 ** 33;

export interface PacketizeOptions {
  /** Program clock reference base (90 kHz) written in the first packet. */
  pcr?: number;
  /** Marks the first packet as a random access point. */
  randomAccess?: boolean;
}

/** Counts continuity per PID. */
export class ContinuityCounters {
  private counters = new Map<number, number>();
  next(pid: number): number {
    const cc = this.counters.get(pid) ?? 0;
    this.counters.set(pid, (cc + 1) & 0x0f);
    return cc;
  }
}

/**
 * Splits `payload` (a PES packet, or a pointer field + PSI section) into TS packets on `pid`, the
 * first with payload_unit_start set. Short packets are filled with adaptation-field stuffing
 * (PSI packets too, which is allowed and keeps one code path).
 */
export function packetize(pid: number, payload: Uint8Array, cc: ContinuityCounters, options: PacketizeOptions = {}): Buffer {
  const firstRoom = 184 - (options.pcr !== undefined ? 8 : options.randomAccess ? 2 : 0);
  const count = 1 + Math.ceil(Math.max(0, payload.length - firstRoom) / 184);
  const out = Buffer.alloc(count * TS_PACKET_BYTES, 0xff);
  let pos = 0;
  let written = 0;
  let first = true;
  while (first || pos < payload.length) {
    const p = written * TS_PACKET_BYTES;
    // adaptation field content after its length byte: flags (+ PCR)
    let afContent = 0;
    let flags = 0;
    if (first && options.pcr !== undefined) {
      afContent = 7;
      flags |= 0x10;
    } else if (first && options.randomAccess) afContent = 1;
    if (first && options.randomAccess) flags |= 0x40;
    let afBytes = afContent ? afContent + 1 : 0;
    const remaining = payload.length - pos;
    const room = 184 - afBytes;
    if (remaining < room) afBytes += room - remaining; // stuffing
    const take = 184 - afBytes;
    out[p] = 0x47;
    out[p + 1] = (first ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    out[p + 2] = pid & 0xff;
    out[p + 3] = (afBytes ? 0x30 : 0x10) | cc.next(pid);
    if (afBytes) {
      out[p + 4] = afBytes - 1;
      if (afBytes > 1) {
        out[p + 5] = flags;
        if (flags & 0x10) writePcr(out, p + 6, options.pcr!);
      }
    }
    Buffer.from(payload.buffer, payload.byteOffset + pos, take).copy(out, p + 4 + afBytes);
    pos += take;
    written++;
    first = false;
  }
  return out.subarray(0, written * TS_PACKET_BYTES);
}

function writePcr(out: Buffer, at: number, pcrBase: number) {
  const base = ((pcrBase % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  const hi = Math.floor(base / 2); // upper 32 bits of the 33-bit base
  out.writeUInt32BE(hi >>> 0, at);
  out[at + 4] = ((base & 1) << 7) | 0x7e; // last base bit, 6 reserved bits, extension bit 8 = 0
  out[at + 5] = 0x00; // extension low bits
}

/** Pointer field + section, ready to packetize. */
export function psiPayload(section: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0]), section]);
}
