/**
 * FLV codecs against bytes laid out by hand from the FLV spec (v10.1 annex E), the Enhanced RTMP
 * spec (ex-header video, FourCC 'hvc1'), and the conversions to and from protocol-neutral frames.
 */
import { describe, it, expect } from 'vitest';
import {
  FlvDemuxer, FlvError, FlvFrameReader, FlvTagType, demuxFlv, encodeFlvHeader, encodeFlvTag,
  parseVideoBody, buildVideoBody, parseAudioBody, buildAudioBody, parseScriptBody, buildScriptBody,
  videoSequenceBody, videoFrameBody, audioSequenceBody, audioFrameBody, metadataBody, videoConfigFromTrack,
  buildAvcDecoderConfig, buildHevcDecoderConfig, encodeAmf0, Amf0EcmaArray,
  type FlvMediaFrame, type FlvVideoTrack,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SPS = hex('67640028acd940780227e5c044000003000400000300c83c60c658');
const PPS = hex('68ebe3cb22c0');
const VPS_265 = hex('40010c01ffff01600000030090000003000003003f959809');
const SPS_265 = hex('42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321');
const PPS_265 = hex('4401c172b46240');

function flvError(fn: () => unknown): FlvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlvError);
    return e as FlvError;
  }
  throw new Error('expected an FlvError');
}

describe('FLV file', () => {
  it('writes the header and tags', () => {
    expect(encodeFlvHeader({ hasAudio: true, hasVideo: true })).toEqual(hex('464c56 01 05 00000009 00000000'));
    expect(encodeFlvHeader({ hasAudio: false, hasVideo: true })[4]).toBe(1);
    // type, size 3, timestamp 3 + extension 1, stream id 3, body, previous tag size
    expect(encodeFlvTag({ type: 9, timestamp: 0x12345678, data: hex('aabb') })).toEqual(hex('09 000002 345678 12 000000 aabb 0000000d'));
  });

  it('demuxes header and tags fed in any pieces', () => {
    const file = Buffer.concat([
      encodeFlvHeader({ hasAudio: true, hasVideo: false }),
      encodeFlvTag({ type: 18, timestamp: 0, data: hex('02000a') }),
      encodeFlvTag({ type: 8, timestamp: 0x01000010, data: hex('af01ff') }),
    ]);
    const whole = demuxFlv(file);
    expect(whole.header).toEqual({ version: 1, hasAudio: true, hasVideo: false });
    expect(whole.tags).toEqual([{ type: 18, timestamp: 0, data: hex('02000a') }, { type: 8, timestamp: 0x01000010, data: hex('af01ff') }]);
    const d = new FlvDemuxer();
    const tags = [...file].flatMap((b) => d.push(Buffer.from([b])));
    expect(tags).toEqual(whole.tags);
  });

  it('skips a longer header (data offset) and refuses non-FLV and oversized tags', () => {
    const header = hex('464c56 01 05 0000000c aabbcc 00000000');
    expect(demuxFlv(Buffer.concat([header, encodeFlvTag({ type: 9, timestamp: 1, data: hex('17') })])).tags).toHaveLength(1);
    expect(flvError(() => demuxFlv(hex('474554202f20'))).code).toBe('FLV_BAD_HEADER');
    expect(flvError(() => demuxFlv(hex('464c56 01 05 00000002'))).code).toBe('FLV_BAD_HEADER');
    const d = new FlvDemuxer({ maxTagSize: 100 });
    d.push(encodeFlvHeader({ hasAudio: true, hasVideo: true }));
    expect(flvError(() => d.push(hex('09 000065 000000 00 000000'))).code).toBe('FLV_TOO_LARGE');
  });
});

describe('video bodies', () => {
  it('reads and writes legacy AVC: sequence header and frames with composition time', () => {
    const seq = buildVideoBody({ codec: 'H264', packet: 'sequence-start', keyframe: true, data: hex('01640028') });
    expect(seq).toEqual(hex('17 00 000000 01640028'));
    const inter = buildVideoBody({ codec: 'H264', packet: 'frame', keyframe: false, cts: -40, data: hex('00000001 41') });
    expect(inter).toEqual(hex('27 01 ffffd8 00000001 41'));
    expect(parseVideoBody(inter)).toMatchObject({ frameType: 2, codec: 'H264', enhanced: false, codecId: 7, packet: 'frame', cts: -40, data: hex('0000000141') });
    expect(parseVideoBody(hex('17 02 000000'))).toMatchObject({ packet: 'sequence-end' });
  });

  it('reads and writes H.265 as Enhanced RTMP (hvc1) and reads codec id 12', () => {
    const frame = buildVideoBody({ codec: 'H265', packet: 'frame', keyframe: true, cts: 80, data: hex('00000002 2601') });
    expect(frame).toEqual(hex('91 68766331 000050 00000002 2601'));
    expect(parseVideoBody(frame)).toMatchObject({ frameType: 1, codec: 'H265', enhanced: true, fourCc: 'hvc1', packet: 'frame', cts: 80 });
    expect(parseVideoBody(hex('90 68766331 01'))).toMatchObject({ codec: 'H265', packet: 'sequence-start', data: hex('01') });
    expect(parseVideoBody(hex('a3 68766331 00000001 02'))).toMatchObject({ frameType: 2, packet: 'frame', cts: 0 }); // CodedFramesX
    const legacy = buildVideoBody({ codec: 'H265', packet: 'frame', keyframe: true, cts: 0, data: hex('00') }, { hevc: 'legacy' });
    expect(legacy[0]).toBe(0x1c);
    expect(parseVideoBody(legacy)).toMatchObject({ codec: 'H265', enhanced: false, codecId: 12 });
  });

  it('marks codecs it does not carry and refuses cut-off headers', () => {
    expect(parseVideoBody(hex('12 0000'))).toMatchObject({ codec: null, codecId: 2, packet: 'other' });
    expect(parseVideoBody(hex('90 61763031 00'))).toMatchObject({ codec: null, fourCc: 'av01', packet: 'sequence-start' });
    expect(flvError(() => parseVideoBody(hex('17 01 00'))).code).toBe('FLV_TRUNCATED');
    expect(flvError(() => parseVideoBody(hex('91 6876'))).code).toBe('FLV_TRUNCATED');
    expect(flvError(() => parseVideoBody(Buffer.alloc(0))).code).toBe('FLV_TRUNCATED');
  });
});

describe('audio and script bodies', () => {
  it('reads and writes AAC and G.711', () => {
    expect(buildAudioBody({ codec: 'AAC', packet: 'sequence-start', data: hex('1210') })).toEqual(hex('af 00 1210'));
    expect(parseAudioBody(hex('af 01 2111'))).toMatchObject({ soundFormat: 10, codec: 'AAC', soundRate: 3, soundType: 1, packet: 'frame', data: hex('2111') });
    expect(parseAudioBody(buildAudioBody({ codec: 'PCMA', packet: 'frame', data: hex('d5d5') }))).toMatchObject({ codec: 'PCMA', data: hex('d5d5') });
    expect(parseAudioBody(hex('2f ff'))).toMatchObject({ soundFormat: 2, codec: null });
    expect(flvError(() => parseAudioBody(hex('af'))).code).toBe('FLV_TRUNCATED');
  });

  it('reads onMetaData, also behind @setDataFrame, and refuses bad AMF', () => {
    const body = buildScriptBody('onMetaData', { width: 640, height: 360 });
    expect(body.subarray(0, 14)).toEqual(hex('02 000a 6f6e4d65746144617461 08'));
    expect(parseScriptBody(body)).toEqual({ name: 'onMetaData', value: { width: 640, height: 360 } });
    expect(parseScriptBody(encodeAmf0('@setDataFrame', 'onMetaData', new Amf0EcmaArray({ a: 1 })))).toEqual({ name: 'onMetaData', value: { a: 1 } });
    expect(flvError(() => parseScriptBody(hex('02 00ff'))).code).toBe('FLV_BAD_BODY');
    expect(flvError(() => parseScriptBody(encodeAmf0(1))).code).toBe('FLV_BAD_BODY');
  });
});

describe('frames and tracks', () => {
  const h264: FlvVideoTrack = { kind: 'video', codec: 'H264', parameterSets: [SPS, PPS], width: 1920, height: 1080 };

  it('FLV bodies → tracks and frames (pts = dts + composition time)', () => {
    const reader = new FlvFrameReader();
    expect(reader.video(buildVideoBody({ codec: 'H264', packet: 'frame', keyframe: true, data: hex('00000001 65') }), 0)).toMatchObject({ kind: 'ignored' });
    const track = reader.video(videoSequenceBody(h264)!, 0);
    expect(track).toEqual({ kind: 'track', track: h264 });
    const frame = reader.video(buildVideoBody({ codec: 'H264', packet: 'frame', keyframe: true, cts: 80, data: hex('00000002 6588 00000001 06') }), 1000);
    expect(frame).toEqual({ kind: 'frame', frame: { kind: 'video', dts: 1000, pts: 1080, keyframe: true, units: [hex('6588'), hex('06')] } });
    expect(reader.audio(hex('af 00 1210'), 0)).toEqual({ kind: 'track', track: { kind: 'audio', codec: 'AAC', sampleRate: 44100, channels: 2, config: hex('1210') } });
    expect(reader.audio(hex('af 01 2111'), 1023)).toEqual({ kind: 'frame', frame: { kind: 'audio', dts: 1023, pts: 1023, keyframe: true, units: [hex('2111')] } });
    expect(reader.video(hex('17 02 000000'), 2000)).toEqual({ kind: 'end' });
    expect(flvError(() => reader.video(buildVideoBody({ codec: 'H264', packet: 'frame', keyframe: true, data: hex('00000009 65') }), 0)).code).toBe('FLV_BAD_BODY');
    expect(flvError(() => reader.video(hex('17 00 000000 02'), 0)).code).toBe('FLV_BAD_BODY');
  });

  it('announces G.711 once, before its first frame', () => {
    const reader = new FlvFrameReader();
    const body = buildAudioBody({ codec: 'PCMU', packet: 'frame', data: hex('ffff') });
    expect(reader.g711Track(body)).toEqual({ kind: 'audio', codec: 'PCMU', sampleRate: 8000, channels: 1 });
    expect(reader.g711Track(body)).toBe(null);
    expect(reader.audio(body, 20)).toMatchObject({ kind: 'frame', frame: { units: [hex('ffff')] } });
  });

  it('tracks and frames → FLV bodies', () => {
    expect(videoSequenceBody(h264)).toEqual(buildVideoBody({ codec: 'H264', packet: 'sequence-start', keyframe: true, data: buildAvcDecoderConfig([SPS], [PPS]) }));
    const frame: FlvMediaFrame = { kind: 'video', dts: 40.4, pts: 120.2, keyframe: false, units: [hex('41aa'), hex('06')] };
    expect(videoFrameBody(frame, 'H264')).toEqual(hex('27 01 000050 00000002 41aa 00000001 06'));
    expect(audioSequenceBody({ codec: 'AAC', sampleRate: 44100, channels: 2, config: hex('1210') })).toEqual(hex('af00 1210'));
    expect(audioSequenceBody({ codec: 'PCMA', sampleRate: 8000, channels: 1 })).toBe(null);
    expect(audioFrameBody({ kind: 'audio', dts: 0, pts: 0, keyframe: true, units: [hex('21')] }, { codec: 'OPUS', sampleRate: 48000, channels: 2 })).toBe(null);
    expect(videoSequenceBody({ codec: 'H264', parameterSets: [PPS] })).toBe(null);
  });

  it('H.265 tracks round-trip through an Enhanced RTMP sequence header', () => {
    const track: FlvVideoTrack = { kind: 'video', codec: 'H265', parameterSets: [VPS_265, SPS_265, PPS_265], width: 640, height: 360 };
    const body = videoSequenceBody(track)!;
    expect(body.subarray(0, 5)).toEqual(hex('90 68766331'));
    expect(body.subarray(5)).toEqual(buildHevcDecoderConfig([VPS_265], [SPS_265], [PPS_265]));
    expect(videoConfigFromTrack(track)).toEqual(body.subarray(5));
    expect(new FlvFrameReader().video(body, 0)).toEqual({ kind: 'track', track });
  });

  it('describes tracks in onMetaData', () => {
    const meta = parseScriptBody(metadataBody({ video: h264, audio: { codec: 'AAC', sampleRate: 44100, channels: 2 } }));
    expect(meta).toMatchObject({ name: 'onMetaData', value: { width: 1920, height: 1080, videocodecid: 7, audiocodecid: 10, audiosamplerate: 44100, stereo: true } });
    expect(FlvTagType.SCRIPT).toBe(18);
  });
});
