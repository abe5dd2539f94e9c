/**
 * Property tests of the RTMP codecs: AMF0 and chunk stream round trips (any chunk size, any split
 * of the bytes), and on arbitrary bytes the decoders return or throw an RtmpError, nothing else,
 * reading nothing outside the bytes given.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  Amf0EcmaArray, decodeAmf0All, encodeAmf0, RtmpError, RtmpChunkReader, RtmpChunkWriter, RtmpServerHandshake, parseCommand,
  type Amf0Value, type RtmpMessage,
} from '../src/index.js';

const runs = (n: number) => Math.max(1, Math.round(n * (Number(process.env.PROPERTY_RUNS_SCALE ?? '1') || 1)));

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof RtmpError)) throw e;
    return { code: e.code };
  }
}

function sameInsideAndAlone(parse: (b: Buffer) => unknown, data: Buffer) {
  const big = Buffer.alloc(data.length + 64, 0xa5);
  data.copy(big, 32);
  expect(outcome(() => parse(big.subarray(32, 32 + data.length)))).toEqual(outcome(() => parse(Buffer.from(data))));
}

const plain = { noNullPrototype: true } as const;
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 });
const { value: amfValue } = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double(),
    fc.boolean(),
    text,
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, ...plain }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, ...plain }).map((d) => new Amf0EcmaArray(d)),
  ),
}));

/** What decoding gives back: ECMA arrays come back as plain objects. */
function decodedForm(v: Amf0Value): Amf0Value {
  if (v instanceof Amf0EcmaArray) return decodedForm(v.entries);
  if (Array.isArray(v)) return v.map(decodedForm);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: { [k: string]: Amf0Value } = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: decodedForm(v[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('AMF0 properties', () => {
  it('decode(encode(values)) gives the values back', () => {
    fc.assert(
      fc.property(fc.array(amfValue, { maxLength: 4 }), (values) => {
        expect(decodeAmf0All(encodeAmf0(...values))).toEqual(values.map(decodedForm));
      }),
      { numRuns: runs(300) },
    );
  });

  it('arbitrary bytes and mutated commands: only RtmpError, never outside the bytes', () => {
    const command = fc.tuple(fc.array(amfValue, { maxLength: 3 }), fc.nat(), fc.nat(255)).map(([vals, pos, byte]) => {
      const b = encodeAmf0('connect', 1, ...vals);
      if (b.length) b[pos % b.length] = byte;
      return b.subarray(0, b.length - (pos % 3));
    });
    fc.assert(fc.property(fc.oneof(command, fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))), (data) => sameInsideAndAlone((b) => decodeAmf0All(b), data)), {
      numRuns: runs(500),
    });
  });
});

describe('chunk stream properties', () => {
  const message = fc.record({
    csid: fc.oneof(fc.integer({ min: 3, max: 10 }), fc.integer({ min: 3, max: 65599 })),
    typeId: fc.constantFrom(8, 9, 18, 20),
    streamId: fc.constantFrom(0, 1, 2),
    step: fc.oneof(fc.constantFrom(0, 20, 23, 40), fc.integer({ min: 0, max: 0x2000000 })),
    length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1500 })),
  });

  it('writer → bytes split anywhere → reader gives the same messages, at any chunk size', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 25 }), fc.integer({ min: 1, max: 2000 }), fc.array(fc.nat(), { maxLength: 20 }), (specs, chunkSize, cuts) => {
        const clock = new Map<number, number>();
        const sent: RtmpMessage[] = specs.map((s, i) => {
          const ts = ((clock.get(s.csid) ?? 0) + s.step) % 0x100000000;
          clock.set(s.csid, ts);
          return { csid: s.csid, typeId: s.typeId, streamId: s.streamId, timestamp: ts, payload: Buffer.alloc(s.length, i) };
        });
        const w = new RtmpChunkWriter();
        const bytes = Buffer.concat([w.setChunkSize(chunkSize), ...sent.map((m) => w.write(m))]);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const r = new RtmpChunkReader();
        const got: RtmpMessage[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          got.push(...r.push(bytes.subarray(from, p)));
          from = p;
        }
        expect(got.slice(1)).toEqual(sent);
      }),
      { numRuns: runs(200) },
    );
  });

  it('arbitrary bytes into a reader: only RtmpError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (pieces) => {
        const r = new RtmpChunkReader({ maxMessageSize: 4096, maxPendingBytes: 8192 });
        try {
          for (const p of pieces) for (const m of r.push(p)) if (m.typeId === 20) outcome(() => parseCommand(m));
        } catch (e) {
          expect(e).toBeInstanceOf(RtmpError);
        }
      }),
      { numRuns: runs(500) },
    );
  });

  it('arbitrary bytes into a server handshake: only RtmpError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (data) => {
        try {
          new RtmpServerHandshake().push(data);
        } catch (e) {
          expect(e).toBeInstanceOf(RtmpError);
        }
      }),
      { numRuns: runs(100) },
    );
  });
});
