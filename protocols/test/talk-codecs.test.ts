/** Talk's pure codecs: the WebSocket talk frame, L16 RTP payloads, Ogg pages for Opus. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  buildOggPage, buildOpusHead, buildOpusTags, decodeTalkWsAudio, encodeTalkWsAudio, isOpusHeaderPacket, oggCrc, packetizeRtpL16,
  OGG_HEADER_BOS, TALK_WS_HEADER_BYTES, TALK_WS_MAX_PAYLOAD, RtpError,
} from '../src/index.js';

describe('WebSocket talk frame', () => {
  it('round-trips sequence, timestamp and payload (wrapping at 16 and 32 bits)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 20 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.uint8Array({ minLength: 1, maxLength: 2000 }), (seq, ts, bytes) => {
      const payload = Buffer.from(bytes);
      const d = decodeTalkWsAudio(encodeTalkWsAudio({ sequence: seq, timestamp: ts, payload }));
      expect(d).not.toBeNull();
      expect(d!.sequence).toBe(seq & 0xffff);
      expect(d!.timestamp).toBe(ts % 2 ** 32);
      expect(d!.payload.equals(payload)).toBe(true);
    }));
  });
  it('has the documented layout', () => {
    const b = encodeTalkWsAudio({ sequence: 0x0102, timestamp: 0x03040506, payload: Buffer.from([9, 9]) });
    expect([...b]).toEqual([0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 9, 9]);
  });
  it('refuses what is not an audio frame (wrong type, empty, too large)', () => {
    expect(decodeTalkWsAudio(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 1]))).toBeNull();
    expect(decodeTalkWsAudio(Buffer.alloc(TALK_WS_HEADER_BYTES, 0).fill(1, 0, 1))).toBeNull();
    const big = Buffer.alloc(TALK_WS_HEADER_BYTES + TALK_WS_MAX_PAYLOAD + 1);
    big[0] = 1;
    expect(decodeTalkWsAudio(big)).toBeNull();
  });
});

describe('L16 RTP payloads', () => {
  it('splits at whole samples under the MTU with advancing timestamps', () => {
    const frame = Buffer.alloc(3000);
    const out = packetizeRtpL16(frame, 1, 1001);
    expect(out.map((p) => p.payload.length)).toEqual([1000, 1000, 1000]);
    expect(out.map((p) => p.timestampOffset)).toEqual([0, 500, 1000]);
    expect(() => packetizeRtpL16(Buffer.alloc(3), 1)).toThrow(RtpError);
  });
});

describe('Ogg pages', () => {
  it('builds pages ffmpeg reads as Ogg Opus (header pages + a silent packet)', () => {
    const serial = 7;
    // a 20 ms CELT silence frame (TOC 0xf8: config 31, 20 ms, mono) with an empty body
    const silence = Buffer.from([0xf8, 0xff, 0xfe]);
    const pages = [
      buildOggPage({ headerType: OGG_HEADER_BOS, granule: 0n, serial, sequence: 0, packets: [buildOpusHead(1, 0, 48000)] }),
      buildOggPage({ headerType: 0, granule: 0n, serial, sequence: 1, packets: [buildOpusTags('argus')] }),
      ...Array.from({ length: 10 }, (_, i) => buildOggPage({ headerType: 0, granule: BigInt((i + 1) * 960), serial, sequence: i + 2, packets: [silence] })),
    ];
    const r = spawnSync(process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,channels,sample_rate', '-of', 'json', '-f', 'ogg', 'pipe:0'], { input: Buffer.concat(pages) });
    const stream = JSON.parse(r.stdout.toString()).streams[0];
    expect(stream).toMatchObject({ codec_name: 'opus', channels: 1, sample_rate: '48000' });
  });
  it('checksums with the Ogg CRC (zero in the header while computed)', () => {
    const page = buildOggPage({ headerType: 0, granule: 5n, serial: 1, sequence: 0, packets: [Buffer.from('abc')] });
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    expect(oggCrc(page)).toBe(crc);
  });
  it('laces long packets and refuses packets beyond one page', () => {
    const page = buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [Buffer.alloc(600)] });
    expect(page[26]).toBe(3); // 255 + 255 + 90
    expect(() => buildOggPage({ headerType: 0, granule: 0n, serial: 1, sequence: 0, packets: [Buffer.alloc(255 * 255)] })).toThrow();
    expect(isOpusHeaderPacket(buildOpusHead(2, 312, 48000))).toBe(true);
    expect(isOpusHeaderPacket(Buffer.from([0xf8, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
  });
});
