/**
 * Property tests of the TLV codec: round trips both ways, and robustness: on arbitrary bytes, mutated
 * messages and truncated messages the decoder returns a value or throws a TlvError, never another
 * error, and never reads outside the bytes it was given.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  TLV_FIELD_NAMES,
  TLV_HEADS,
  TLV_HEAD_TAG,
  TLV_HEAD_TAG_REVERSED,
  TLV_TAGS,
  TlvError,
  TlvErrorCode,
  decodeTlvItems,
  decodeTlvReport,
  describeTlvRecord,
  encodeTlvItems,
  encodeTlvReport,
  tlvFieldOfTag,
  tlvHeadOfTag,
  type TlvDecodeOptions,
  type TlvFieldName,
  type TlvItem,
  type TlvRecord,
} from '../src/index.js';

/** TLV_PROPERTY_RUNS_SCALE=20 runs every property 20 times as often (for a longer fuzzing session). */
const SCALE = Number(process.env.TLV_PROPERTY_RUNS_SCALE ?? '1') || 1;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const CODES = new Set<string>(Object.values(TlvErrorCode));
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------------
// Arbitraries of decoded values (the shapes the decoder produces)

/** Decoded values are ordinary objects, so the generated ones must be too (toStrictEqual checks prototypes). */
const plain = { noNullPrototype: true } as const;
const u16 = fc.integer({ min: 0, max: 0xffff });
const WIDTHS = [1, 2, 4, 8] as const;
const SPEC_WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;
const maxOfWidth = (w: number): bigint => (1n << BigInt(8 * w)) - 1n;

function intItem(field: TlvFieldName, kind: 'u8' | 'u16' | 'u32' | 'u64'): fc.Arbitrary<TlvItem> {
  const tag = TLV_TAGS[field].tag;
  const valueIn = (w: number): fc.Arbitrary<number | bigint> => {
    const max = maxOfWidth(w);
    if (kind === 'u64') return fc.bigInt({ min: 0n, max });
    return fc.integer({ min: 0, max: Number(max < BigInt(MAX_SAFE) ? max : BigInt(MAX_SAFE)) });
  };
  const canonical = valueIn(SPEC_WIDTH[kind]).map((value) => ({ field, tag, value }) as unknown as TlvItem);
  const otherWidth = fc
    .constantFrom(...WIDTHS.filter((w) => w !== SPEC_WIDTH[kind]))
    .chain((width) => valueIn(width).map((value) => ({ field, tag, value, width }) as unknown as TlvItem));
  return fc.oneof({ arbitrary: canonical, weight: 3 }, { arbitrary: otherWidth, weight: 1 });
}

const text = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !s.includes('\0'));

function knownItem(field: TlvFieldName): fc.Arbitrary<TlvItem> {
  const spec = TLV_TAGS[field];
  const tag = spec.tag;
  const make = (value: unknown) => ({ field, tag, value }) as unknown as TlvItem;
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
      return intItem(field, spec.kind);
    case 'string':
      return fc
        .tuple(text, fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }))
        .map(([value, nuls]) => (nuls === undefined ? make(value) : ({ field, tag, value, trailingNuls: nuls } as unknown as TlvItem)));
    case 'bytes':
      return fc.uint8Array({ maxLength: 48 }).map(make);
    case 'size':
      return fc.record({ width: u16, height: u16 }, plain).map(make);
    case 'rect':
      return fc.record({ x: u16, y: u16, width: u16, height: u16 }, plain).map(make);
    case 'quad':
      return fc.tuple(...[0, 1, 2, 3].map(() => fc.record({ x: u16, y: u16 }, plain))).map(make);
    case 'u16list':
      return fc.array(u16, { maxLength: 16 }).map(make);
  }
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

const unknownItem: fc.Arbitrary<TlvItem> = fc
  .record({ tag: u32.filter((t) => tlvFieldOfTag(t) === undefined), bytes: fc.uint8Array({ maxLength: 24 }) })
  .map(({ tag, bytes }) => ({ field: 'unknown', tag, bytes }));

const anyItem: fc.Arbitrary<TlvItem> = fc.oneof(
  { arbitrary: fc.oneof(...TLV_FIELD_NAMES.map(knownItem)), weight: 6 },
  { arbitrary: unknownItem, weight: 1 },
);

const knownRecord: fc.Arbitrary<TlvRecord> = fc
  .record({ head: fc.constantFrom(...TLV_HEADS), reversed: fc.boolean(), items: fc.array(anyItem, { maxLength: 12 }) })
  .map(({ head, reversed, items }) => ({ head, tag: reversed ? TLV_HEAD_TAG_REVERSED[head] : TLV_HEAD_TAG[head], items }));

const unknownRecord: fc.Arbitrary<TlvRecord> = fc
  .record({ tag: u32.filter((t) => tlvHeadOfTag(t) === undefined), bytes: fc.uint8Array({ maxLength: 32 }) })
  .map(({ tag, bytes }) => ({ head: 'unknown', tag, bytes }));

const records = fc.array(fc.oneof({ arbitrary: knownRecord, weight: 5 }, { arbitrary: unknownRecord, weight: 1 }), {
  maxLength: 5,
});

// ---------------------------------------------------------------------------------------------
// Well-framed raw bytes, built directly (not with the encoder): any tags, any values

interface RawTlv {
  tag: number;
  value: Uint8Array;
}

function frame(list: readonly RawTlv[]): Uint8Array {
  const total = list.reduce((n, t) => n + 8 + t.value.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let pos = 0;
  for (const t of list) {
    dv.setUint32(pos, t.tag);
    dv.setUint32(pos + 4, t.value.length);
    out.set(t.value, pos + 8);
    pos += 8 + t.value.length;
  }
  return out;
}

const knownTags = TLV_FIELD_NAMES.map((f) => TLV_TAGS[f].tag);
const rawValue = fc.oneof(
  fc.uint8Array({ maxLength: 20 }),
  fc.constantFrom(1, 2, 4, 8, 16).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  text.map((s) => new TextEncoder().encode(s)),
);
const rawItem: fc.Arbitrary<RawTlv> = fc.record({
  tag: fc.oneof({ arbitrary: fc.constantFrom(...knownTags), weight: 4 }, { arbitrary: u32, weight: 1 }),
  value: rawValue,
});
const headTags = [...Object.values(TLV_HEAD_TAG), ...Object.values(TLV_HEAD_TAG_REVERSED)];
const rawRecord: fc.Arbitrary<RawTlv> = fc.oneof(
  {
    arbitrary: fc
      .record({ tag: fc.constantFrom(...headTags), items: fc.array(rawItem, { maxLength: 10 }) })
      .map(({ tag, items }) => ({ tag, value: frame(items) })),
    weight: 5,
  },
  { arbitrary: fc.record({ tag: u32, value: fc.uint8Array({ maxLength: 24 }) }), weight: 1 },
);
const wellFramedBody = fc.array(rawRecord, { maxLength: 5 }).map(frame);

// ---------------------------------------------------------------------------------------------

/** Runs the decoder; anything thrown must be a TlvError with a stable code. */
function decodeOrTlvError(bytes: Uint8Array, options?: TlvDecodeOptions): TlvRecord[] | TlvError {
  try {
    return decodeTlvReport(bytes, options);
  } catch (e) {
    if (!(e instanceof TlvError)) throw new Error(`decoder threw a non-TlvError: ${String(e)}`);
    expect(CODES.has(e.code)).toBe(true);
    expect(e.message.length).toBeGreaterThan(0);
    return e;
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);

describe('round trips', () => {
  it('decode(encode(records)) deep-equals records', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const bytes = encodeTlvReport(rs);
        expect(decodeTlvReport(bytes)).toStrictEqual(rs);
        for (const r of rs) if (r.head !== 'unknown') describeTlvRecord(r);
      }),
      { numRuns: runs(500) },
    );
  });

  it('decodeTlvItems(encodeTlvItems(items)) deep-equals items', () => {
    fc.assert(
      fc.property(fc.array(anyItem, { maxLength: 20 }), (items) => {
        expect(decodeTlvItems(encodeTlvItems(items))).toStrictEqual(items);
      }),
      { numRuns: runs(300) },
    );
  });

  it('encode(decode(bytes)) reproduces any well-framed body byte for byte (badValue: keep)', () => {
    fc.assert(
      fc.property(wellFramedBody, (bytes) => {
        sameBytes(encodeTlvReport(decodeTlvReport(bytes, { badValue: 'keep' })), bytes);
      }),
      { numRuns: runs(500) },
    );
  });

  it('by default a well-framed body either decodes and re-encodes exactly, or fails with TLV_BAD_VALUE', () => {
    fc.assert(
      fc.property(wellFramedBody, (bytes) => {
        const r = decodeOrTlvError(bytes);
        if (r instanceof TlvError) expect(r.code).toBe('TLV_BAD_VALUE');
        else sameBytes(encodeTlvReport(r), bytes);
      }),
      { numRuns: runs(500) },
    );
  });
});

describe('robustness', () => {
  const optionSets: Array<TlvDecodeOptions | undefined> = [
    undefined,
    { badValue: 'keep' },
    { maxRecords: 2, maxItemsPerRecord: 3, maxValueBytes: 6, maxBodyBytes: 200 },
  ];

  it('arbitrary bytes: a value or a TlvError; any value decoded re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...optionSets), (bytes, options) => {
        const r = decodeOrTlvError(bytes, options);
        if (!(r instanceof TlvError)) sameBytes(encodeTlvReport(r), bytes);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('arbitrary bytes after a real head: a value or a TlvError', () => {
    const body = fc
      .tuple(fc.constantFrom(...headTags), fc.integer({ min: 0, max: 80 }), fc.uint8Array({ maxLength: 80 }))
      .map(([tag, len, rest]) => {
        const out = new Uint8Array(8 + rest.length);
        new DataView(out.buffer).setUint32(0, tag);
        new DataView(out.buffer).setUint32(4, len);
        out.set(rest, 8);
        return out;
      });
    fc.assert(
      fc.property(body, fc.constantFrom(...optionSets), (bytes, options) => {
        const r = decodeOrTlvError(bytes, options);
        if (!(r instanceof TlvError)) sameBytes(encodeTlvReport(r), bytes);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('mutated valid messages: a value or a TlvError; any value decoded re-encodes exactly', () => {
    const mutated = fc
      .tuple(records.map(encodeTlvReport), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => {
        const out = bytes.slice();
        if (out.length > 0) for (const [i, b] of edits) out[i % out.length] = b;
        return out;
      });
    fc.assert(
      fc.property(mutated, fc.constantFrom(...optionSets), (bytes, options) => {
        const r = decodeOrTlvError(bytes, options);
        if (!(r instanceof TlvError)) sameBytes(encodeTlvReport(r), bytes);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('truncated valid messages: the whole records before the cut, or TLV_TRUNCATED / TLV_LENGTH_OVERFLOW; the bytes after the cut are never read', () => {
    const cut = records
      .filter((rs) => rs.length > 0)
      .chain((rs) => {
        const full = encodeTlvReport(rs);
        return fc.integer({ min: 0, max: full.length - 1 }).map((k) => ({ rs, full, k }));
      });
    fc.assert(
      fc.property(cut, ({ rs, full, k }) => {
        // record boundaries
        const ends = [0];
        for (const r of rs) ends.push(ends[ends.length - 1]! + encodeTlvReport([r]).length);
        // the prefix is a view into `full`: the rest of the message is right there in memory
        const prefix = full.subarray(0, k);
        const r = decodeOrTlvError(prefix);
        const whole = ends.indexOf(k);
        if (whole >= 0) {
          expect(r).toStrictEqual(rs.slice(0, whole));
        } else {
          expect(r).toBeInstanceOf(TlvError);
          expect(['TLV_TRUNCATED', 'TLV_LENGTH_OVERFLOW']).toContain((r as TlvError).code);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('a message viewed inside a larger buffer decodes exactly as a copy of it does', () => {
    fc.assert(
      fc.property(
        fc.oneof(records.map(encodeTlvReport), fc.uint8Array({ maxLength: 64 })),
        fc.uint8Array({ maxLength: 16 }),
        fc.uint8Array({ maxLength: 16 }),
        (msg, before, after) => {
          const big = new Uint8Array(before.length + msg.length + after.length);
          big.set(before, 0);
          big.set(msg, before.length);
          big.set(after, before.length + msg.length);
          const inView = decodeOrTlvError(big.subarray(before.length, before.length + msg.length), { badValue: 'keep' });
          const alone = decodeOrTlvError(msg.slice(), { badValue: 'keep' });
          if (alone instanceof TlvError) {
            expect(inView).toBeInstanceOf(TlvError);
            expect((inView as TlvError).message).toBe(alone.message);
          } else {
            expect(inView).toStrictEqual(alone);
          }
        },
      ),
      { numRuns: runs(500) },
    );
  });
});
