/**
 * Property tests of the codec helpers: round trips, and on arbitrary bytes the parsers return a
 * value or throw a CodecError, never another error, and read nothing outside the bytes given.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CodecError, splitAnnexB, joinAnnexB, splitLengthPrefixed, joinLengthPrefixed,
  parseH264Sps, parseH265Sps, parseAvcDecoderConfig, buildAvcDecoderConfig, parseHevcDecoderConfig,
  parseAacConfig, buildAacConfig, splitAdts, AAC_SAMPLE_RATES, BitReader,
} from '../src/index.js';

const runs = (n: number) => Math.max(1, Math.round(n * (Number(process.env.PROPERTY_RUNS_SCALE ?? '1') || 1)));
const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

type Outcome = { ok: unknown } | { code: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return { code: e.code };
  }
}

/** Parses `data` as a view inside a larger buffer of 0xA5 bytes and as a copy: a parser that reads outside the view sees different bytes. */
function sameInsideAndAlone(parse: (b: Buffer) => unknown, data: Buffer) {
  const big = Buffer.alloc(data.length + 64, 0xa5);
  data.copy(big, 32);
  const view = big.subarray(32, 32 + data.length);
  expect(outcome(() => parse(view))).toEqual(outcome(() => parse(Buffer.from(data))));
}

const parsers: Array<[string, (b: Buffer) => unknown, fc.Arbitrary<Buffer>]> = [
  ['parseH264Sps', parseH264Sps, bytes().map((b) => Buffer.concat([Buffer.from([0x67]), b]))],
  ['parseH265Sps', parseH265Sps, bytes().map((b) => Buffer.concat([Buffer.from([0x42, 0x01]), b]))],
  ['parseAvcDecoderConfig', parseAvcDecoderConfig, bytes().map((b) => Buffer.concat([Buffer.from([1]), b]))],
  ['parseHevcDecoderConfig', parseHevcDecoderConfig, bytes(96).map((b) => Buffer.concat([Buffer.from([1]), b]))],
  ['parseAacConfig', parseAacConfig, bytes(8)],
  ['splitAdts', splitAdts, bytes().map((b) => Buffer.concat([Buffer.from([0xff, 0xf1]), b]))],
  ['splitLengthPrefixed(4)', (b) => splitLengthPrefixed(b, 4), bytes()],
  ['splitLengthPrefixed(2)', (b) => splitLengthPrefixed(b, 2), bytes()],
  ['splitAnnexB', splitAnnexB, fc.array(fc.constantFrom(0, 0, 0, 1, 3, 0x65, 0xff), { maxLength: 64 }).map((a) => Buffer.from(a))],
  ['BitReader.ue', (b) => { const r = new BitReader(b); return [r.ue(), r.se(), r.ue()]; }, bytes(12)],
];

describe('codec parsers on arbitrary bytes', () => {
  for (const [name, parse, arb] of parsers) {
    it(`${name} throws only CodecError and stays inside its bytes`, () => {
      fc.assert(fc.property(fc.oneof(arb, bytes()), (data) => sameInsideAndAlone(parse, data)), { numRuns: runs(400) });
    });
  }
});

describe('codec round trips', () => {
  const unit = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a));

  it('length-prefixed NAL units', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 8 }), fc.constantFrom(1, 2, 4), (units, size) => {
        expect(splitLengthPrefixed(joinLengthPrefixed(units, size), size)).toEqual(units);
      }),
      { numRuns: runs(200) },
    );
  });

  it('Annex-B (units without start-code-like bytes inside, not ending in zero)', () => {
    const safe = fc.array(fc.integer({ min: 4, max: 255 }), { minLength: 1, maxLength: 30 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.array(safe, { maxLength: 8 }), (units) => {
        expect(splitAnnexB(joinAnnexB(units))).toEqual(units);
      }),
      { numRuns: runs(200) },
    );
  });

  it('AudioSpecificConfig', () => {
    const rate = fc.oneof(fc.constantFrom(...AAC_SAMPLE_RATES), fc.integer({ min: 1, max: 2 ** 24 - 1 }));
    const objectType = fc.integer({ min: 1, max: 95 }).filter((t) => t !== 5 && t !== 29 && t !== 31);
    fc.assert(
      fc.property(objectType, rate, fc.integer({ min: 0, max: 15 }), (t, r, ch) => {
        expect(parseAacConfig(buildAacConfig(t, r, ch))).toMatchObject({ objectType: t, sampleRate: r, channelConfig: ch });
      }),
      { numRuns: runs(300) },
    );
  });

  it('AVCDecoderConfigurationRecord', () => {
    const sps = fc.uint8Array({ minLength: 3, maxLength: 40 }).map((a) => Buffer.concat([Buffer.from([0x67]), a]));
    const pps = fc.uint8Array({ minLength: 1, maxLength: 20 }).map((a) => Buffer.concat([Buffer.from([0x68]), a]));
    fc.assert(
      fc.property(fc.array(sps, { minLength: 1, maxLength: 3 }), fc.array(pps, { maxLength: 3 }), (s, p) => {
        const cfg = parseAvcDecoderConfig(buildAvcDecoderConfig(s, p));
        expect(cfg.sps).toEqual(s);
        expect(cfg.pps).toEqual(p);
        expect(cfg.lengthSize).toBe(4);
      }),
      { numRuns: runs(200) },
    );
  });
});
