/**
 * Property tests of the FLV codecs: tags and frames round trip, and on arbitrary or mutated bytes
 * the parsers return or throw an FlvError, nothing else, reading nothing outside the bytes given.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  FlvDemuxer, FlvError, FlvFrameReader, encodeFlvHeader, encodeFlvTag, parseAudioBody, parseScriptBody, parseVideoBody,
  videoFrameBody, buildVideoBody, type FlvMediaFrame, type FlvTag,
} from '../src/index.js';

const runs = (n: number) => Math.max(1, Math.round(n * (Number(process.env.PROPERTY_RUNS_SCALE ?? '1') || 1)));
const bytes = (max = 64) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    if (!(e instanceof FlvError)) throw e;
    return { code: e.code };
  }
}

function sameInsideAndAlone(parse: (b: Buffer) => unknown, data: Buffer) {
  const big = Buffer.alloc(data.length + 64, 0xa5);
  data.copy(big, 32);
  expect(outcome(() => parse(big.subarray(32, 32 + data.length)))).toEqual(outcome(() => parse(Buffer.from(data))));
}

const tag = fc.record({
  type: fc.constantFrom(8, 9, 18),
  timestamp: fc.nat({ max: 0xffffffff }),
  data: bytes(300),
});

describe('FLV properties', () => {
  it('mux → bytes split anywhere → demux gives the same tags', () => {
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (tags: FlvTag[], cuts) => {
        const file = Buffer.concat([encodeFlvHeader({ hasAudio: true, hasVideo: true }), ...tags.map(encodeFlvTag)]);
        const points = [...new Set(cuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
        const d = new FlvDemuxer();
        const got: FlvTag[] = [];
        let from = 0;
        for (const p of [...points, file.length]) {
          got.push(...d.push(file.subarray(from, p)));
          from = p;
        }
        expect(got).toEqual(tags);
      }),
      { numRuns: runs(200) },
    );
  });

  it('video frames → body → frames', () => {
    const unit = fc.uint8Array({ minLength: 1, maxLength: 50 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 5 }), fc.nat({ max: 1e6 }), fc.integer({ min: 0, max: 5000 }), fc.boolean(), (units, dts, cts, keyframe) => {
        const reader = new FlvFrameReader();
        reader.video(buildVideoBody({ codec: 'H264', packet: 'sequence-start', keyframe: true, data: Buffer.from('01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000668ebe3cb22c0', 'hex') }), 0);
        const frame: FlvMediaFrame = { kind: 'video', dts, pts: dts + cts, keyframe, units };
        expect(reader.video(videoFrameBody(frame, 'H264'), dts)).toEqual({ kind: 'frame', frame });
      }),
      { numRuns: runs(200) },
    );
  });

  const parsers: Array<[string, (b: Buffer) => unknown, fc.Arbitrary<Buffer>]> = [
    ['parseVideoBody', parseVideoBody, fc.oneof(bytes(), bytes().map((b) => Buffer.concat([Buffer.from('9068766331', 'hex'), b])))],
    ['parseAudioBody', parseAudioBody, bytes(8)],
    ['parseScriptBody', parseScriptBody, bytes(64).map((b) => Buffer.concat([Buffer.from('02000a6f6e4d6574614461746108', 'hex'), b]))],
    ['FlvFrameReader.video (legacy and enhanced)', (b) => {
      const r = new FlvFrameReader();
      return [r.video(Buffer.concat([Buffer.from('1700000000', 'hex'), b]), 0), r.video(Buffer.concat([Buffer.from('90', 'hex'), Buffer.from('hvc1'), b]), 0), r.video(b, 0)];
    }, bytes(96)],
    ['FlvFrameReader.audio', (b) => new FlvFrameReader().audio(Buffer.concat([Buffer.from('af00', 'hex'), b]), 0), bytes(8)],
    ['FlvDemuxer', (b) => new FlvDemuxer({ maxTagSize: 1000 }).push(Buffer.concat([encodeFlvHeader({ hasAudio: true, hasVideo: true }), b])), bytes(200)],
  ];

  for (const [name, parse, arb] of parsers) {
    it(`${name}: only FlvError on arbitrary bytes, never outside them`, () => {
      fc.assert(fc.property(fc.oneof(arb, bytes()), (data) => sameInsideAndAlone(parse, data)), { numRuns: runs(400) });
    });
  }
});
