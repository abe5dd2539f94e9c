/**
 * A send-time mark carried through the servers inside the video itself: an H.264 SEI NAL unit
 * (user data unregistered) holding the publisher's CLOCK_MONOTONIC time in µs as ASCII digits
 * (no zero bytes, so no emulation prevention). Every protocol passes SEI through, so a viewer in
 * any process on this machine can tell how long ago a frame left the publisher.
 */
const UUID = Buffer.from('ArgusBenchMark!!', 'latin1');
const DIGITS = 16;
const PAYLOAD = UUID.length + DIGITS;

/** Monotonic µs, comparable across processes of this machine. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The SEI NAL unit (no start code, no length) marking `us`. */
export function markNal(us: number): Buffer {
  const out = Buffer.alloc(3 + PAYLOAD + 1);
  out[0] = 0x06; // nal_ref_idc 0, SEI
  out[1] = 5; // user_data_unregistered
  out[2] = PAYLOAD;
  UUID.copy(out, 3);
  out.write(String(Math.round(us)).padStart(DIGITS, '0').slice(-DIGITS), 3 + UUID.length, 'latin1');
  out[out.length - 1] = 0x80; // rbsp trailing bits
  return out;
}

/** The mark in an H.264 NAL unit, or null. */
export function markOf(nal: Buffer): number | null {
  if (nal.length < 3 + PAYLOAD || (nal[0]! & 0x1f) !== 6 || nal[1] !== 5 || nal[2] !== PAYLOAD) return null;
  if (!nal.subarray(3, 3 + UUID.length).equals(UUID)) return null;
  const v = Number(nal.toString('latin1', 3 + UUID.length, 3 + PAYLOAD));
  return Number.isFinite(v) ? v : null;
}

export function markIn(nals: Iterable<Buffer>): number | null {
  for (const n of nals) {
    const m = markOf(n);
    if (m !== null) return m;
  }
  return null;
}

/** NAL units of a legacy FLV/RTMP AVC video body (frame packets only; 4-byte lengths). */
export function nalsOfAvcBody(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (body.length < 5 || (body[0]! & 0x0f) !== 7 || body[1] !== 1) return out;
  for (let off = 5; off + 4 <= body.length; ) {
    const len = body.readUInt32BE(off);
    if (off + 4 + len > body.length) break;
    out.push(body.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

/** An AVC frame body with a mark put in front of its NAL units (after an access unit delimiter). */
export function withMark(body: Buffer, us: number): Buffer {
  const nal = markNal(us);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(nal.length);
  let at = 5;
  if (body.length >= 10 && (body[9]! & 0x1f) === 9) at = 9 + body.readUInt32BE(5);
  return Buffer.concat([body.subarray(0, at), len, nal, body.subarray(at)]);
}
