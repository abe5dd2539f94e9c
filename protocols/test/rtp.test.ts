import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  parseRtpPacket, serializeRtpPacket, RtpError, RtpPacketWriter, RtpTimestampUnwrapper,
  H264RtpDepacketizer, packetizeRtpH264, H265RtpDepacketizer, packetizeRtpH265, AacRtpDepacketizer, packetizeRtpAac,
  PassthroughRtpDepacketizer, packetizeRtpG711, rtpH264Fmtp, parseRtpH264Sprop, rtpH265Fmtp, parseRtpH265Sprop,
  rtpAacFmtp, rtpAacParamsFromFmtp, buildRtcpSenderReport, buildRtcpReceiverReport, parseRtcpPackets,
  type RtpDepacketizer, type RtpFrame, type RtpOutPayload, type RtpPacket,
} from '../src/index.js';

/** Packetizes frames with a writer, parses the packets back and depacketizes them. */
function roundTrip(frames: Array<{ ts: number; payloads: RtpOutPayload[] }>, dep: RtpDepacketizer): RtpFrame[] {
  const w = new RtpPacketWriter(96, 0x1234, 65530);
  const out: RtpFrame[] = [];
  for (const f of frames) for (const pkt of w.write(f.payloads, f.ts)) out.push(...dep.push(parseRtpPacket(pkt)));
  return out;
}

const nal264 = fc.tuple(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 0, maxLength: 4000 }))
  .map(([type, nri, body]) => Buffer.concat([Buffer.from([(nri << 5) | type]), body]));
const nal265 = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ minLength: 0, maxLength: 4000 }))
  .map(([type, body]) => Buffer.concat([Buffer.from([type << 1, 1]), body]));
const mtu = fc.integer({ min: 100, max: 1500 });

describe('RTP packets', () => {
  it('round-trips headers, CSRCs and extensions', () => {
    fc.assert(
      fc.property(
        fc.record({
          marker: fc.boolean(), payloadType: fc.integer({ min: 0, max: 127 }), sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
          timestamp: fc.integer({ min: 0, max: 0xffffffff }), ssrc: fc.integer({ min: 0, max: 0xffffffff }),
          csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
          ext: fc.option(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 4 })), { nil: undefined }),
          payload: fc.uint8Array({ maxLength: 200 }),
        }),
        (r) => {
          const p: RtpPacket = {
            marker: r.marker, payloadType: r.payloadType, sequenceNumber: r.sequenceNumber, timestamp: r.timestamp, ssrc: r.ssrc, csrcs: r.csrcs,
            ...(r.ext ? { extension: { profile: r.ext[0], data: Buffer.alloc(r.ext[1] * 4, 5) } } : {}),
            payload: Buffer.from(r.payload),
          };
          expect(parseRtpPacket(serializeRtpPacket(p))).toEqual(p);
        },
      ),
    );
  });

  it('strips padding and refuses bad packets with an RtpError', () => {
    const p = serializeRtpPacket({ marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [], payload: Buffer.from([1, 2, 0, 0, 3]) });
    p[0]! |= 0x20;
    expect(parseRtpPacket(p).payload).toEqual(Buffer.from([1, 2]));
    expect(() => parseRtpPacket(Buffer.alloc(11))).toThrow(RtpError);
    expect(() => parseRtpPacket(Buffer.alloc(12))).toThrow(RtpError); // version 0
  });

  it('parses arbitrary bytes to a packet or an RtpError, never reading past them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          const p = parseRtpPacket(Buffer.from(bytes));
          expect(p.payload.byteOffset + p.payload.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('unwraps timestamps across 2^32', () => {
    const u = new RtpTimestampUnwrapper();
    expect(u.unwrap(0xfffffff0)).toBe(0xfffffff0);
    expect(u.unwrap(0x10)).toBe(0x100000010);
    expect(u.unwrap(0xfffffff8)).toBe(0xfffffff8);
  });
});

describe('H.264 (RFC 6184)', () => {
  it('packetize → depacketize gives back the access units', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nal264, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), mtu, (aus, m) => {
        const frames = aus.map((nalus, i) => ({ ts: (0xffffff00 + i * 3000) >>> 0, payloads: packetizeRtpH264(nalus, m) }));
        for (const f of frames) for (const p of f.payloads) expect(p.payload.length).toBeLessThanOrEqual(m);
        const out = roundTrip(frames, new H264RtpDepacketizer());
        expect(out.map((f) => f.units)).toEqual(aus);
        expect(out.map((f) => f.timestamp)).toEqual(frames.map((f) => f.ts));
        expect(out.map((f) => f.keyframe)).toEqual(aus.map((nalus) => nalus.some((n) => (n[0]! & 0x1f) === 5)));
      }),
      { numRuns: 200 },
    );
  });

  it('drops a fragmented NAL unit with a lost packet and keeps the rest', () => {
    const big = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(5000, 1)]);
    const sps = Buffer.from([0x67, 1, 2, 3]);
    const w = new RtpPacketWriter(96, 1);
    const pkts = w.write(packetizeRtpH264([sps, big], 1400), 9000).map(parseRtpPacket);
    const dep = new H264RtpDepacketizer();
    const out = pkts.filter((_, i) => i !== 2).flatMap((p) => dep.push(p));
    expect(out).toHaveLength(1);
    expect(out[0]!.units).toEqual([sps]);
    expect(dep.dropped).toBe(1);
  });

  it('fmtp carries profile-level-id and sprop-parameter-sets', () => {
    const sps = Buffer.from('Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=', 'base64');
    const pps = Buffer.from('aOvjyyLA', 'base64');
    const fmtp = rtpH264Fmtp(sps, [pps]);
    expect(fmtp).toContain('profile-level-id=64001E');
    const params = Object.fromEntries(fmtp.split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    expect(parseRtpH264Sprop(params)).toEqual([sps, pps]);
  });
});

describe('H.265 (RFC 7798)', () => {
  it('packetize → depacketize gives back the access units', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nal265, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), mtu, (aus, m) => {
        const frames = aus.map((nalus, i) => ({ ts: i * 3000, payloads: packetizeRtpH265(nalus, m) }));
        for (const f of frames) for (const p of f.payloads) expect(p.payload.length).toBeLessThanOrEqual(m);
        const out = roundTrip(frames, new H265RtpDepacketizer());
        expect(out.map((f) => f.units)).toEqual(aus);
        expect(out.map((f) => f.keyframe)).toEqual(aus.map((nalus) => nalus.some((n) => ((n[0]! >> 1) & 0x3f) >= 16 && ((n[0]! >> 1) & 0x3f) <= 21)));
      }),
      { numRuns: 200 },
    );
  });

  it('fmtp carries VPS, SPS and PPS', () => {
    const [vps, sps, pps] = [Buffer.from([0x40, 1, 9]), Buffer.from([0x42, 1, 8]), Buffer.from([0x44, 1, 7])];
    const fmtp = Object.fromEntries(rtpH265Fmtp(vps, sps, pps).split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    expect(parseRtpH265Sprop(fmtp)).toEqual([vps, sps, pps]);
  });
});

describe('AAC mpeg4-generic (RFC 3640)', () => {
  it('packetize → depacketize gives back the frames, fragmented or not', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 6 }), mtu, (aacFrames, m) => {
        const frames = aacFrames.map((f, i) => ({ ts: i * 1024, payloads: packetizeRtpAac(Buffer.from(f), m) }));
        const out = roundTrip(frames, new AacRtpDepacketizer());
        expect(out.map((f) => f.units[0])).toEqual(aacFrames.map((f) => Buffer.from(f)));
        expect(out.map((f) => f.timestamp)).toEqual(frames.map((f) => f.ts));
      }),
      { numRuns: 200 },
    );
  });

  it('splits several AUs of one packet with consecutive timestamps', () => {
    const a = Buffer.alloc(10, 1);
    const b = Buffer.alloc(20, 2);
    const payload = Buffer.concat([Buffer.from([0, 32, a.length >> 5, (a.length & 31) << 3, b.length >> 5, (b.length & 31) << 3]), a, b]);
    const out = new AacRtpDepacketizer().push({ marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 5000, ssrc: 1, csrcs: [], payload });
    expect(out).toEqual([{ timestamp: 5000, units: [a], keyframe: true }, { timestamp: 6024, units: [b], keyframe: true }]);
  });

  it('reads AU-header sizes from fmtp and writes the config', () => {
    expect(rtpAacParamsFromFmtp({ sizelength: '13', indexlength: '3', indexdeltalength: '3' })).toEqual({ sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
    expect(rtpAacFmtp(Buffer.from([0x12, 0x10]))).toContain('config=1210');
    expect(() => packetizeRtpAac(Buffer.alloc(9000))).toThrow(RtpError);
  });
});

describe('G.711', () => {
  it('passes frames through, splitting large ones with advancing timestamps', () => {
    const frame = Buffer.alloc(3000, 0xd5);
    const payloads = packetizeRtpG711(frame, 1, 1400);
    expect(payloads.map((p) => p.timestampOffset)).toEqual([0, 1400, 2800]);
    const out = roundTrip([{ ts: 100, payloads }], new PassthroughRtpDepacketizer());
    expect(Buffer.concat(out.flatMap((f) => f.units))).toEqual(frame);
    expect(out.map((f) => f.timestamp)).toEqual([100, 1500, 2900]);
  });
});

describe('depacketizers on arbitrary packets', () => {
  it('return frames or drop, never throw', () => {
    const packet = fc.record({
      marker: fc.boolean(), payloadType: fc.constant(96), sequenceNumber: fc.integer({ min: 0, max: 20 }),
      timestamp: fc.integer({ min: 0, max: 3 }), ssrc: fc.constant(1), csrcs: fc.constant([] as number[]),
      payload: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 30 }), (pkts) => {
        for (const dep of [new H264RtpDepacketizer(), new H265RtpDepacketizer(), new AacRtpDepacketizer(), new PassthroughRtpDepacketizer()]) {
          for (const p of pkts) for (const f of dep.push(p)) expect(f.units.every((u) => u.length > 0)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('RTCP', () => {
  it('builds sender and receiver reports that parse back', () => {
    const now = 1_700_000_000_123;
    const sr = buildRtcpSenderReport({ ssrc: 7, ntpTimeMs: now, rtpTimestamp: 90000, packetCount: 10, octetCount: 1000 });
    const [first, second] = parseRtcpPackets(sr);
    expect(first).toMatchObject({ type: 'sr', ssrc: 7, rtpTimestamp: 90000, packetCount: 10, octetCount: 1000 });
    expect(first?.type === 'sr' && Math.abs(first.ntpTimeMs - now)).toBeLessThan(1);
    expect(second).toEqual({ type: 'other', packetType: 202 });
    expect(parseRtcpPackets(buildRtcpReceiverReport(9))[0]).toEqual({ type: 'rr', ssrc: 9, reportCount: 0 });
  });

  it('throws only RtpError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          parseRtcpPackets(Buffer.from(b));
        } catch (e) {
          expect(e).toBeInstanceOf(RtpError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
