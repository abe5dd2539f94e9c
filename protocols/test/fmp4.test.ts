/** Fragmented MP4: init segment box tree, fragments (tfdt/trun fields, data offsets), box reader robustness. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  buildInitSegment, buildFragment, parseBoxes, findBoxes, readFragment, Mp4Error, SYNC_SAMPLE_FLAGS, NON_SYNC_SAMPLE_FLAGS, type Mp4Sample,
} from '../src/index.js';
import { buildAvcDecoderConfig, parseAvcDecoderConfig, buildAacConfig } from '../src/codecs/index.js';

const SPS = Buffer.from('6742c01e8c8d40a02ff2c02010', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');
const ASC = buildAacConfig(2, 48000, 2);
const tracks = [
  { kind: 'video' as const, id: 1, codec: 'H264' as const, timescale: 90000, width: 640, height: 360, config: buildAvcDecoderConfig([SPS], [PPS]) },
  { kind: 'audio' as const, id: 2, codec: 'AAC' as const, timescale: 48000, sampleRate: 48000, channels: 2, config: ASC },
];

describe('buildInitSegment', () => {
  const boxes = parseBoxes(buildInitSegment(tracks));

  it('is ftyp + moov with mvhd, two traks and mvex/trex', () => {
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    expect(boxes[1]!.children!.map((b) => b.type)).toEqual(['mvhd', 'trak', 'trak', 'mvex']);
    expect(findBoxes(boxes, 'moov/mvex/trex').map((b) => b.body.readUInt32BE(4))).toEqual([1, 2]);
    expect(findBoxes(boxes, 'moov/mvhd')[0]!.body.readUInt32BE(12 + 84)).toBe(3); // next_track_ID
  });

  it('describes the video track: tkhd size, mdhd timescale, vide handler, avc1 with avcC', () => {
    const trak = findBoxes(boxes, 'moov/trak')[0]!;
    const tkhd = findBoxes([trak], 'trak/tkhd')[0]!.body;
    expect([tkhd.readUInt32BE(12), tkhd.readUInt32BE(76) / 65536, tkhd.readUInt32BE(80) / 65536]).toEqual([1, 640, 360]);
    expect(findBoxes([trak], 'trak/mdia/mdhd')[0]!.body.readUInt32BE(12)).toBe(90000);
    expect(findBoxes([trak], 'trak/mdia/hdlr')[0]!.body.toString('latin1', 8, 12)).toBe('vide');
    expect(findBoxes([trak], 'trak/mdia/minf/vmhd')).toHaveLength(1);
    const avc1 = findBoxes([trak], 'trak/mdia/minf/stbl/stsd/avc1')[0]!;
    expect([avc1.body.readUInt16BE(24), avc1.body.readUInt16BE(26)]).toEqual([640, 360]);
    const avcC = findBoxes([avc1], 'avc1/avcC')[0]!;
    expect(parseAvcDecoderConfig(avcC.body)).toMatchObject({ profileIdc: 0x42, sps: [SPS], pps: [PPS], lengthSize: 4 });
    for (const t of ['stts', 'stsc', 'stsz', 'stco']) expect(findBoxes([trak], `trak/mdia/minf/stbl/${t}`)).toHaveLength(1);
  });

  it('describes the audio track: soun handler, mp4a with channels, rate and the ASC in esds', () => {
    const trak = findBoxes(boxes, 'moov/trak')[1]!;
    expect(findBoxes([trak], 'trak/mdia/hdlr')[0]!.body.toString('latin1', 8, 12)).toBe('soun');
    expect(findBoxes([trak], 'trak/mdia/mdhd')[0]!.body.readUInt32BE(12)).toBe(48000);
    const mp4a = findBoxes([trak], 'trak/mdia/minf/stbl/stsd/mp4a')[0]!;
    expect(mp4a.body.readUInt16BE(16)).toBe(2);
    expect(mp4a.body.readUInt32BE(24) >>> 16).toBe(48000);
    const esds = findBoxes([mp4a], 'mp4a/esds')[0]!.body;
    expect(esds.includes(Buffer.concat([Buffer.from([0x05, ASC.length]), ASC]))).toBe(true);
    expect(esds[4]).toBe(0x03);
  });

  it('uses hvc1/hvcC for H.265', () => {
    const b = parseBoxes(buildInitSegment([{ ...tracks[0]!, codec: 'H265', config: Buffer.from([1, 2, 3]) }]));
    const hvc1 = findBoxes(b, 'moov/trak/mdia/minf/stbl/stsd/hvc1');
    expect(findBoxes(hvc1, 'hvc1/hvcC')[0]!.body).toEqual(Buffer.from([1, 2, 3]));
  });

  it('needs a track', () => {
    expect(() => buildInitSegment([])).toThrow(Mp4Error);
  });
});

describe('buildFragment', () => {
  const video: Mp4Sample[] = [
    { duration: 3600, sync: true, compositionOffset: 7200, data: Buffer.alloc(1000, 1) },
    { duration: 3600, sync: false, compositionOffset: -3600, data: Buffer.alloc(200, 2) },
    { duration: 3600, sync: false, data: Buffer.alloc(300, 3) },
  ];
  const audio: Mp4Sample[] = [
    { duration: 1024, sync: true, data: Buffer.alloc(100, 4) },
    { duration: 1024, sync: true, data: Buffer.alloc(120, 5) },
  ];

  it('writes moof (mfhd, traf per track) + mdat, with times, sizes, flags and offsets that point at the samples', () => {
    const buf = buildFragment(7, [{ trackId: 1, baseDecodeTime: 2 ** 33 + 90000, samples: video }, { trackId: 2, baseDecodeTime: 48000, samples: audio }]);
    const boxes = parseBoxes(buf);
    expect(boxes.map((b) => b.type)).toEqual(['moof', 'mdat']);
    expect(boxes[0]!.children!.map((b) => b.type)).toEqual(['mfhd', 'traf', 'traf']);
    const info = readFragment(boxes[0]!);
    expect(info.sequence).toBe(7);
    expect(info.tracks.map((t) => [t.trackId, t.baseDecodeTime])).toEqual([[1, 2 ** 33 + 90000], [2, 48000]]);
    const v = info.tracks[0]!.samples;
    expect(v.map((s) => [s.duration, s.size, s.sync, s.compositionOffset])).toEqual([[3600, 1000, true, 7200], [3600, 200, false, -3600], [3600, 300, false, 0]]);
    expect(v.map((s) => s.flags)).toEqual([SYNC_SAMPLE_FLAGS, NON_SYNC_SAMPLE_FLAGS, NON_SYNC_SAMPLE_FLAGS]);
    for (const [t, samples] of [[0, video], [1, audio]] as const) {
      info.tracks[t]!.samples.forEach((s, i) => expect(buf.subarray(s.offset, s.offset + s.size)).toEqual(samples[i]!.data));
    }
    expect(info.tracks[0]!.samples[0]!.offset).toBe(boxes[1]!.offset + 8);
  });

  it('leaves out tracks without samples, and needs some sample', () => {
    const info = readFragment(parseBoxes(buildFragment(1, [{ trackId: 1, baseDecodeTime: 0, samples: [] }, { trackId: 2, baseDecodeTime: 0, samples: audio }]))[0]!);
    expect(info.tracks.map((t) => t.trackId)).toEqual([2]);
    expect(() => buildFragment(1, [{ trackId: 1, baseDecodeTime: 0, samples: [] }])).toThrow(Mp4Error);
  });

  it('round-trips arbitrary runs through readFragment', () => {
    const sample = fc.record({ duration: fc.nat(100000), sync: fc.boolean(), compositionOffset: fc.integer({ min: -50000, max: 50000 }), data: fc.uint8Array({ maxLength: 64 }) });
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.array(sample, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }), fc.nat(2 ** 40), (seq, runs, base) => {
        const buf = buildFragment(seq >>> 0, runs.map((samples, i) => ({ trackId: i + 1, baseDecodeTime: base + i, samples })));
        const info = readFragment(parseBoxes(buf)[0]!);
        expect(info.tracks).toHaveLength(runs.length);
        info.tracks.forEach((t, i) => {
          expect(t.baseDecodeTime).toBe(base + i);
          expect(t.samples.map((s) => [s.duration, s.sync, s.compositionOffset, Buffer.from(buf.subarray(s.offset, s.offset + s.size))])).toEqual(
            runs[i]!.map((s) => [s.duration, s.sync, s.compositionOffset, Buffer.from(s.data)]),
          );
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('box reader robustness', () => {
  const ok = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Mp4Error)) throw e;
    }
  };
  const good = Buffer.concat([buildInitSegment(tracks), buildFragment(1, [{ trackId: 1, baseDecodeTime: 0, samples: [{ duration: 1, sync: true, data: Buffer.alloc(10) }] }])]);

  it('throws only Mp4Error on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => ok(() => parseBoxes(b).filter((x) => x.type === 'moof').map(readFragment))), { numRuns: 1000 });
  });
  it('throws only Mp4Error on mutated and truncated segments', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 10 }), fc.nat(good.length), (edits, cut) => {
        const b = Buffer.from(good);
        for (const [at, v] of edits) b[at] = v;
        for (const input of [b, b.subarray(0, cut)]) ok(() => parseBoxes(input).filter((x) => x.type === 'moof').map(readFragment));
      }),
      { numRuns: 1000 },
    );
  });
});
