/**
 * Box reading, for tests and tools: a box tree (containers opened, sample entries too), and the
 * fields of fragments (mfhd, tfhd, tfdt, trun). Throws Mp4Error on anything malformed; never reads
 * past the bytes given.
 */
import { Mp4Error, Mp4ErrorCode } from './errors.js';

export interface Mp4Box {
  type: string;
  /** Offset of the box header in the parsed buffer. */
  offset: number;
  size: number;
  /** The box body (after the 8- or 16-byte header). */
  body: Buffer;
  children?: Mp4Box[];
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'dinf', 'mvex', 'moof', 'traf', 'edts', 'udta', 'mfra']);
/** Boxes whose children follow some fixed fields: bytes to skip in the body. */
const SKIP: Record<string, number> = { stsd: 8, dref: 8, avc1: 78, avc3: 78, hvc1: 78, hev1: 78, mp4a: 28 };
const MAX_DEPTH = 16;

export function parseBoxes(input: Uint8Array, depth = 0, base = 0): Mp4Box[] {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const boxes: Mp4Box[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'box header cut off', base + pos);
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > buf.length) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'large box header cut off', base + pos);
      const large = buf.readBigUInt64BE(pos + 8);
      if (large > BigInt(buf.length - pos)) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, `box ${type} runs past the data`, base + pos);
      size = Number(large);
      header = 16;
    } else if (size === 0) size = buf.length - pos;
    if (size < header) throw new Mp4Error(Mp4ErrorCode.INVALID, `box ${type} has size ${size}`, base + pos);
    if (pos + size > buf.length) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, `box ${type} runs past the data`, base + pos);
    const body = buf.subarray(pos + header, pos + size);
    const b: Mp4Box = { type, offset: base + pos, size, body };
    const skip = CONTAINERS.has(type) ? 0 : SKIP[type];
    if (skip !== undefined && depth < MAX_DEPTH) {
      if (skip > body.length) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, `box ${type} too short`, base + pos);
      b.children = parseBoxes(body.subarray(skip), depth + 1, base + pos + header + skip);
    }
    boxes.push(b);
    pos += size;
  }
  return boxes;
}

/** The boxes at a path like 'moov/trak/mdia/hdlr' (every match). */
export function findBoxes(boxes: readonly Mp4Box[], path: string): Mp4Box[] {
  const [head, ...rest] = path.split('/');
  const here = boxes.filter((b) => b.type === head);
  if (!rest.length) return here;
  return here.flatMap((b) => findBoxes(b.children ?? [], rest.join('/')));
}

export interface Mp4FragmentInfo {
  sequence: number;
  tracks: Array<{
    trackId: number;
    baseDecodeTime: number;
    /** Per sample; `offset` is into the buffer that was parsed. */
    samples: Array<{ duration: number; size: number; flags: number; sync: boolean; compositionOffset: number; offset: number }>;
  }>;
}

/** Reads a moof (and locates its samples) from boxes parsed by parseBoxes. Supports the fields this module writes and their usual variants. */
export function readFragment(moof: Mp4Box): Mp4FragmentInfo {
  const need = (b: Mp4Box | undefined, n: number, what: string): Buffer => {
    if (!b || b.body.length < n) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, `${what} missing or short`, moof.offset);
    return b.body;
  };
  const mfhd = need(moof.children?.find((b) => b.type === 'mfhd'), 8, 'mfhd');
  const info: Mp4FragmentInfo = { sequence: mfhd.readUInt32BE(4), tracks: [] };
  for (const traf of findBoxes(moof.children ?? [], 'traf')) {
    const tfhd = need(traf.children?.find((b) => b.type === 'tfhd'), 8, 'tfhd');
    const tfhdFlags = tfhd.readUIntBE(1, 3);
    let p = 8;
    let baseOffset = moof.offset;
    if (tfhdFlags & 0x1) {
      if (tfhd.length < p + 8) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'tfhd short', traf.offset);
      baseOffset = Number(tfhd.readBigUInt64BE(p));
      p += 8;
    }
    const optional = [0x2, 0x8, 0x10, 0x20].map((flag) => {
      if (!(tfhdFlags & flag)) return undefined;
      if (tfhd.length < p + 4) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'tfhd short', traf.offset);
      const v = tfhd.readUInt32BE(p);
      p += 4;
      return v;
    });
    const [, defDuration = 0, defSize = 0, defFlags = 0] = optional;
    const tfdt = traf.children?.find((b) => b.type === 'tfdt');
    let baseDecodeTime = 0;
    if (tfdt) {
      const v1 = need(tfdt, 4, 'tfdt')[0] === 1;
      baseDecodeTime = v1 ? Number(need(tfdt, 12, 'tfdt').readBigUInt64BE(4)) : need(tfdt, 8, 'tfdt').readUInt32BE(4);
    }
    const samples: Mp4FragmentInfo['tracks'][number]['samples'] = [];
    let dataAt = baseOffset;
    for (const trun of findBoxes(traf.children ?? [], 'trun')) {
      const t = need(trun, 8, 'trun');
      const flags = t.readUIntBE(1, 3);
      const count = t.readUInt32BE(4);
      let q = 8;
      const field = (signed = false) => {
        if (t.length < q + 4) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'trun entries cut off', trun.offset);
        const v = signed ? t.readInt32BE(q) : t.readUInt32BE(q);
        q += 4;
        return v;
      };
      if (flags & 0x1) dataAt = baseOffset + field(true);
      const firstFlags = flags & 0x4 ? field() : undefined;
      const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
      if (count * perSample > t.length - q) throw new Mp4Error(Mp4ErrorCode.TRUNCATED, 'trun entries cut off', trun.offset);
      for (let i = 0; i < count; i++) {
        const duration = flags & 0x100 ? field() : defDuration;
        const size = flags & 0x200 ? field() : defSize;
        const sflags = flags & 0x400 ? field() : i === 0 && firstFlags !== undefined ? firstFlags : defFlags;
        const compositionOffset = flags & 0x800 ? field(t[0] === 1) : 0;
        samples.push({ duration, size, flags: sflags, sync: (sflags & 0x10000) === 0, compositionOffset, offset: dataAt });
        dataAt += size;
      }
    }
    info.tracks.push({ trackId: tfhd.readUInt32BE(4), baseDecodeTime, samples });
  }
  return info;
}
