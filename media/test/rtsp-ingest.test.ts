/** RTP → hub frames without a network: track discovery from SDP, parameter sets, dts estimation. */
import { describe, expect, it } from 'vitest';
import { RtpPacketWriter, packetizeRtpAac, packetizeRtpH264, parseSdp } from '@argus/protocols';
import { StreamHub, type MediaFrame, type Tracks } from '../src/hub/index.js';
import { sdpFromTracks } from '../src/egress/rtsp/index.js';
import { DtsEstimator, RtpIngest, ingestTracksFromSdp } from '../src/ingest/rtsp/index.js';

// 640x360 High profile SPS and its PPS (x264)
const SPS = Buffer.from('Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=', 'base64');
const PPS = Buffer.from('aOvjyyLA', 'base64');
const AAC_CONFIG = Buffer.from([0x12, 0x10]);

describe('DtsEstimator', () => {
  it('gives never-decreasing dts ≤ pts once B-frames were seen', () => {
    const est = new DtsEstimator();
    // decode order of I P B B B with 40 ms frames, four GOPs
    const pts: number[] = [];
    for (let g = 0; g < 4; g++) pts.push(...[0, 4, 2, 1, 3].map((i) => (g * 5 + i) * 40));
    const dts = pts.map((p) => est.next(p));
    expect(dts.every((d, i) => i === 0 || d >= dts[i - 1]!)).toBe(true);
    expect(dts.slice(5).every((d, i) => d <= pts[i + 5]!)).toBe(true);
  });
});

describe('RtpIngest', () => {
  it('ingests what the RTSP egress describes, and waits for in-band parameter sets', () => {
    const tracks: Tracks = {
      video: { kind: 'video', codec: 'H264', parameterSets: [SPS, PPS], width: 640, height: 360 },
      audio: { kind: 'audio', codec: 'AAC', sampleRate: 44100, channels: 2, config: AAC_CONFIG },
    };
    const specs = ingestTracksFromSdp(parseSdp(sdpFromTracks(tracks, 'live/x/primary', '127.0.0.1')));
    expect(specs.map((s) => [s.track.kind, s.track.codec, s.control, s.clockRate])).toEqual([
      ['video', 'H264', 'trackID=0', 90000], ['audio', 'AAC', 'trackID=1', 44100],
    ]);
    expect(specs[0]!.track).toMatchObject({ parameterSets: [SPS, PPS] });
    expect(specs[1]!.track).toMatchObject({ config: AAC_CONFIG, channels: 2 });

    // a publisher whose SDP had no sprop-parameter-sets: they come in-band with the first IDR
    const hub = new StreamHub();
    const stream = hub.publish('live/x/primary', { protocol: 'RTSP' });
    specs[0]!.track = { kind: 'video', codec: 'H264', parameterSets: [] };
    const ingest = new RtpIngest(stream, specs);
    const pushed: MediaFrame[] = [];
    const origPush = stream.push.bind(stream);
    stream.push = (f) => (pushed.push(f), origPush(f));
    const video = new RtpPacketWriter(96, 1);
    const audio = new RtpPacketWriter(97, 2);
    const slice = (type: number) => Buffer.concat([Buffer.from([0x60 | type]), Buffer.alloc(3000, type)]);
    for (const p of video.write(packetizeRtpH264([slice(1)]), 1000)) ingest.receive(0, p); // before any SPS: dropped
    for (const p of audio.write(packetizeRtpAac(Buffer.alloc(200, 1)), 5000)) ingest.receive(1, p);
    expect(pushed).toHaveLength(0);
    expect(stream.tracks.video).toBeUndefined();
    for (const p of video.write(packetizeRtpH264([SPS, PPS, slice(5)]), 4600)) ingest.receive(0, p);
    for (const p of audio.write(packetizeRtpAac(Buffer.alloc(200, 2)), 6024)) ingest.receive(1, p);
    for (const p of video.write(packetizeRtpH264([slice(1)]), 8200)) ingest.receive(0, p);
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360, parameterSets: [SPS, PPS] });
    expect(stream.ready).toBe(true);
    expect(pushed.map((f) => [f.kind, f.keyframe])).toEqual([['video', true], ['audio', true], ['video', false]]);
    const [idr, aac, p] = pushed as [MediaFrame, MediaFrame, MediaFrame];
    expect(p.pts - idr.pts).toBeCloseTo(40, 5);
    expect(aac.units[0]).toEqual(Buffer.alloc(200, 2));
    expect(idr.units.map((u) => u[0]! & 0x1f)).toEqual([7, 8, 5]);
  });
});
