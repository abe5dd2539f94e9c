/** MPEG-TS muxer and demuxer: tables, PES timestamps, Annex-B access units, ADTS, PCR, continuity, stuffing. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  TsMuxer, TS_PIDS, TS_STREAM_TYPE, TS_PACKET_BYTES, TsError, demuxTs, crc32Mpeg2, tsPacketize, TsContinuityCounters, pesPacket, readPesTimestamp,
} from '../src/index.js';
import { splitAnnexB, splitAdts, buildAacConfig } from '../src/codecs/index.js';

const SPS = Buffer.from('6742c01e8c8d40a02ff2c02010', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');
const idr = (n: number) => Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(n, 0x42)]);
const slice = (n: number) => Buffer.concat([Buffer.from([0x41, 0x9a]), Buffer.alloc(n, 0x17)]);
const ASC = buildAacConfig(2, 44100, 2);

function muxSample() {
  const mux = new TsMuxer({ video: { codec: 'H264', parameterSets: [SPS, PPS] }, audio: { codec: 'AAC', sampleRate: 44100, channels: 2, config: ASC } });
  const parts = [mux.tables()];
  parts.push(mux.video({ dts: 90000, pts: 93600, keyframe: true, units: [Buffer.from([0x09, 0x10]), idr(5000)] }));
  parts.push(mux.audio(90000, Buffer.alloc(300, 0x21)));
  parts.push(mux.video({ dts: 93600, pts: 93600, keyframe: false, units: [slice(700)] }));
  parts.push(mux.audio(92090, Buffer.alloc(10, 0x22)));
  return Buffer.concat(parts);
}

describe('TsMuxer', () => {
  it('writes PAT and PMT with the right stream types and the PCR on the video PID', () => {
    const d = demuxTs(muxSample());
    expect(d.pmtPid).toBe(TS_PIDS.PMT);
    expect(d.pcrPid).toBe(TS_PIDS.VIDEO);
    expect(d.streams).toEqual([{ streamType: 0x1b, pid: TS_PIDS.VIDEO }, { streamType: 0x0f, pid: TS_PIDS.AUDIO }]);
    expect(d.continuityErrors).toBe(0);
    expect(d.pcrs.map((p) => p.pid)).toEqual([TS_PIDS.VIDEO, TS_PIDS.VIDEO]);
    expect(d.pcrs[0]!.base).toBeLessThanOrEqual(90000);
  });

  it('writes PES with PTS and DTS (DTS only when it differs) and the keyframe as random access', () => {
    const pes = demuxTs(muxSample()).pes;
    expect(pes.map((p) => [p.pid, p.pts, p.dts])).toEqual([
      [TS_PIDS.VIDEO, 93600, 90000], [TS_PIDS.AUDIO, 90000, undefined], [TS_PIDS.VIDEO, 93600, undefined], [TS_PIDS.AUDIO, 92090, undefined],
    ]);
    expect(pes[0]!.randomAccess).toBe(true);
    expect(pes[2]!.randomAccess).toBe(false);
  });

  it('writes video as Annex-B with one AUD first and parameter sets before keyframes only', () => {
    const [key, , delta] = demuxTs(muxSample()).pes;
    const keyUnits = splitAnnexB(key!.data);
    expect(keyUnits.map((u) => u[0]! & 0x1f)).toEqual([9, 7, 8, 5]);
    expect(keyUnits[1]).toEqual(SPS);
    expect(keyUnits[3]).toEqual(idr(5000));
    expect(splitAnnexB(delta!.data).map((u) => u[0]! & 0x1f)).toEqual([9, 1]);
    expect(key!.data.subarray(0, 6)).toEqual(Buffer.from([0, 0, 0, 1, 0x09, 0xf0]));
  });

  it('wraps AAC frames in ADTS', () => {
    const audio = demuxTs(muxSample()).pes.filter((p) => p.pid === TS_PIDS.AUDIO);
    const frames = audio.flatMap((p) => splitAdts(p.data));
    expect(frames.map((f) => f.data)).toEqual([Buffer.alloc(300, 0x21), Buffer.alloc(10, 0x22)]);
    expect(frames[0]!.config).toMatchObject({ objectType: 2, sampleRate: 44100, channelConfig: 2 });
  });

  it('writes H.265 with stream type 0x24 and an H.265 AUD', () => {
    const vps = Buffer.from([0x40, 0x01, 0x0c]);
    const sps = Buffer.from([0x42, 0x01, 0x01]);
    const pps = Buffer.from([0x44, 0x01, 0xc1]);
    const mux = new TsMuxer({ video: { codec: 'H265', parameterSets: [vps, sps, pps] } });
    const d = demuxTs(Buffer.concat([mux.tables(), mux.video({ dts: 0, pts: 0, keyframe: true, units: [Buffer.from([0x26, 0x01, 0xaf, 0x00, 0x11])] })]));
    expect(d.streams).toEqual([{ streamType: TS_STREAM_TYPE.H265, pid: TS_PIDS.VIDEO }]);
    expect(splitAnnexB(d.pes[0]!.data).map((u) => (u[0]! >> 1) & 0x3f)).toEqual([35, 32, 33, 34, 19]);
  });

  it('puts the PCR on the audio PID when there is no video', () => {
    const mux = new TsMuxer({ audio: { codec: 'AAC', sampleRate: 48000, channels: 1 } });
    const d = demuxTs(Buffer.concat([mux.tables(), mux.audio(180000, Buffer.alloc(200))]));
    expect(d.pcrPid).toBe(TS_PIDS.AUDIO);
    expect(d.pcrs).toEqual([{ pid: TS_PIDS.AUDIO, base: 180000 - 9000 }]);
  });

  it('keeps continuity counters running across calls (wrapping at 16)', () => {
    const mux = new TsMuxer({ video: { codec: 'H264', parameterSets: [SPS, PPS] } });
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) parts.push(mux.tables(), mux.video({ dts: i * 3600, pts: i * 3600, keyframe: i % 10 === 0, units: [slice(i * 37)] }));
    const d = demuxTs(Buffer.concat(parts));
    expect(d.continuityErrors).toBe(0);
    expect(d.pes).toHaveLength(40);
    expect(d.pes.map((p) => p.pts)).toEqual(Array.from({ length: 40 }, (_, i) => i * 3600));
  });

  it('refuses codecs TS cannot carry here', () => {
    expect(() => new TsMuxer({})).toThrow(TsError);
    expect(() => new TsMuxer({ audio: { codec: 'AAC', sampleRate: 12345, channels: 2 } })).toThrow(TsError);
  });
});

describe('TS packets', () => {
  it('CRC-32/MPEG-2 check value', () => {
    expect(crc32Mpeg2(Buffer.from('123456789'))).toBe(0x0376e6e7);
  });

  it('packetizes any payload into 188-byte packets with stuffing, and reassembles it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.boolean(), fc.boolean(), (n, pcr, ra) => {
        const payload = pesPacket(0xe0, 1234, undefined, Buffer.alloc(n, 7));
        const bytes = tsPacketize(0x100, payload, new TsContinuityCounters(), { ...(pcr ? { pcr: 1000 } : {}), randomAccess: ra });
        expect(bytes.length % TS_PACKET_BYTES).toBe(0);
        expect(bytes.length).toBeLessThanOrEqual(Math.ceil((payload.length + 8) / 184) * 188);
        for (let p = 0; p < bytes.length; p += 188) expect(bytes[p]).toBe(0x47);
        // a PMT that declares the PID lets the demuxer reassemble it
        const mux = new TsMuxer({ video: { codec: 'H264', parameterSets: [] } });
        const d = demuxTs(Buffer.concat([mux.tables(), bytes]));
        expect(d.pes).toHaveLength(1);
        expect(d.pes[0]!.data).toEqual(Buffer.alloc(n, 7));
        expect(d.pes[0]!.randomAccess).toBe(ra);
      }),
      { numRuns: 200 },
    );
  });

  it('writes 33-bit timestamps, wrapping at 2^33', () => {
    const pes = pesPacket(0xe0, 2 ** 33 + 5, 2 ** 33 - 1, Buffer.alloc(1));
    expect(readPesTimestamp(pes, 9)).toBe(5);
    expect(readPesTimestamp(pes, 14)).toBe(2 ** 33 - 1);
  });
});

describe('demuxTs robustness', () => {
  const ok = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof TsError)) throw e;
    }
  };
  it('throws only TsError on random packets', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 188, maxLength: 188 }), { maxLength: 6 }), fc.boolean(), (packets, sync) => {
        const b = Buffer.concat(packets.map((p) => (sync ? Buffer.concat([Buffer.from([0x47]), p.subarray(1)]) : p)));
        ok(() => demuxTs(b));
      }),
      { numRuns: 500 },
    );
  });
  it('throws only TsError on mutated and truncated streams', () => {
    const good = muxSample();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), fc.nat(good.length), (edits, cut) => {
        const b = Buffer.from(good);
        for (const [at, v] of edits) b[at] = v;
        ok(() => demuxTs(b));
        ok(() => demuxTs(b.subarray(0, cut)));
      }),
      { numRuns: 500 },
    );
  });
});
