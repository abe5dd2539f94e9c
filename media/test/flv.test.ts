/**
 * HTTP-FLV and WS-FLV egress with real peers: ffmpeg publishes over RTMP, ffprobe reads HTTP-FLV,
 * a WebSocket client reads WS-FLV; token refusals; a reader that stops reading does not slow another.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { get, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor,
  type PlayProtocol, type ServiceRuntime,
} from '@argus/platform';
import { FlvDemuxer, FlvTagType, parseScriptBody, parseVideoBody, parseAudioBody, videoTrackFromConfig, type FlvTag } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, type RtmpModule } from '../src/ingest/rtmp/index.js';
import { flvModule } from '../src/egress/flv/index.js';
import type { StreamReader } from '../src/hub/index.js';
import {
  audioStream, ffprobe, framesOf, h264AacArgs, isIncreasing, killAllFfmpeg, spawnFfmpeg, testSourceArgs, videoStream, waitFor,
  type TestSourceOptions,
} from './support/ffmpeg.js';

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-flv-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  rtmp = rtmpModule();
  await server.start([rtmp, flvModule()]);
});

afterEach(() => killAllFfmpeg());

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function token(channelId: string, o: { protocol?: PlayProtocol; exp?: number; stream?: 'primary' | 'sub' } = {}): string {
  return PlayTokenCodec.fromConfig(runtime.config).sign({
    grantId: `g-${channelId}`, tenantId: 't1', channelId, stream: o.stream ?? 'primary', protocol: o.protocol ?? 'FLV',
    exp: o.exp ?? Math.floor(Date.now() / 1000) + 60, maxUses: 0,
  });
}

const flvUrl = (ch: string, t: string, scheme = 'http') => `${scheme}://127.0.0.1:${server.httpPort}/live/${ch}/primary.flv?token=${t}`;

async function publish(ch: string, source?: TestSourceOptions) {
  const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), `live/${ch}/primary`);
  const pub = spawnFfmpeg([...testSourceArgs(source), ...h264AacArgs(), '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/live/${ch}/primary?key=${key}`]);
  const path = `live/${ch}/primary`;
  return waitFor(() => server.hub.get(path)?.ready && server.hub.get(path), { timeoutMs: 10_000, what: () => `publish ${ch}: ${pub.stderr()}` });
}

/** An HTTP-FLV reader that demuxes what it gets. */
function flvReader(url: string) {
  const demuxer = new FlvDemuxer();
  const tags: Array<FlvTag & { at: number }> = [];
  let res: IncomingMessage | undefined;
  const req = get(url, (r) => {
    res = r;
    r.on('data', (d: Buffer) => {
      for (const t of demuxer.push(d)) tags.push({ ...t, at: Date.now() });
    });
  });
  req.on('error', () => {});
  return { tags, demuxer, response: () => res, close: () => req.destroy() };
}

describe('HTTP-FLV and WS-FLV', () => {
  it('serves HTTP-FLV that ffprobe reads as H.264 640x360 + AAC 44.1 kHz, with CORS', async () => {
    await publish('f1');
    const probe = await ffprobe(flvUrl('f1', token('f1')), { readSeconds: 2 });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audioStream(probe)).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
    const video = framesOf(probe, 'video');
    expect(video.length).toBeGreaterThan(20);
    expect(video[0]!.key_frame).toBe(1);
    expect(isIncreasing(video.map((f) => f.pkt_dts))).toBe(true);
    expect(isIncreasing(video.map((f) => f.pts))).toBe(true);

    const reader = flvReader(flvUrl('f1', token('f1')));
    const res = await waitFor(() => reader.response(), { what: 'HTTP-FLV response' });
    reader.close();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('video/x-flv');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('serves WS-FLV: FLV header first, then onMetaData, sequence headers, and a keyframe', async () => {
    await publish('f2');
    const ws = new WebSocket(flvUrl('f2', token('f2', { protocol: 'WS_FLV' }), 'ws'));
    const messages: Buffer[] = [];
    ws.on('message', (m: Buffer) => messages.push(m));
    try {
      await waitFor(() => messages.length >= 40, { timeoutMs: 10_000, what: 'WS-FLV messages' });
    } finally {
      ws.close();
    }
    expect(messages[0]!.subarray(0, 3).toString()).toBe('FLV');
    expect(messages[0]!.length).toBe(13);
    const demuxer = new FlvDemuxer();
    const tags = messages.flatMap((m) => demuxer.push(m));
    expect(demuxer.header).toMatchObject({ hasAudio: true, hasVideo: true });
    expect(tags.length).toBe(messages.length - 1); // one tag per message after the header

    expect(tags[0]!.type).toBe(FlvTagType.SCRIPT);
    expect(parseScriptBody(tags[0]!.data)).toMatchObject({ name: 'onMetaData', value: { width: 640, height: 360 } });
    const videoSeq = parseVideoBody(tags[1]!.data);
    expect(videoSeq).toMatchObject({ codec: 'H264', packet: 'sequence-start' });
    expect(videoTrackFromConfig('H264', videoSeq.data)).toMatchObject({ width: 640, height: 360 });
    expect(parseAudioBody(tags[2]!.data)).toMatchObject({ codec: 'AAC', packet: 'sequence-start' });
    const firstFrame = parseVideoBody(tags[3]!.data);
    expect(firstFrame).toMatchObject({ packet: 'frame', frameType: 1 });
    const videoTimes = tags.filter((t) => t.type === FlvTagType.VIDEO).map((t) => t.timestamp);
    expect(videoTimes.every((t, i) => i === 0 || t >= videoTimes[i - 1]!)).toBe(true);
  });

  it('refuses bad, expired and other-stream tokens with 401/403, and unknown streams with 404', async () => {
    await publish('f3');
    const status = async (url: string) => {
      const res = await fetch(url);
      await res.body?.cancel();
      return res.status;
    };
    const base = `http://127.0.0.1:${server.httpPort}/live/f3/primary.flv`;
    expect(await status(base)).toBe(401);
    expect(await status(`${base}?token=pt1.nope.nope`)).toBe(401);
    expect(await status(flvUrl('f3', token('f3', { exp: Math.floor(Date.now() / 1000) - 5 })))).toBe(401);
    expect(await status(flvUrl('f3', token('other')))).toBe(403);
    expect(await status(flvUrl('f3', token('f3', { stream: 'sub' })))).toBe(403);
    expect(await status(flvUrl('f3', token('f3', { protocol: 'WS_FLV' })))).toBe(403);
    expect(await status(flvUrl('nobody', token('nobody')))).toBe(404);

    const wsStatus = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    expect(await wsStatus(flvUrl('f3', 'pt1.nope.nope', 'ws'))).toBe(401);
    expect(await wsStatus(flvUrl('f3', token('f3'), 'ws'))).toBe(403); // an FLV token, not WS_FLV
    expect(server.hub.get('live/f3/primary')!.stats().readers).toBe(0);
  });

  it('a reader that stops reading does not delay another; its dropped counter rises', async () => {
    // an incompressible picture (~50 Mbit/s), so socket buffers and the reader queue fill fast
    const stream = await publish('f4', { videoFilter: 'noise=alls=100:allf=t' });
    const joined: StreamReader[] = [];
    stream.on('reader', (e: { joined: boolean; reader: StreamReader }) => e.joined && joined.push(e.reader));

    const stalled = connect(server.httpPort, '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(`GET /live/f4/primary.flv?token=${token('f4')} HTTP/1.1\r\nHost: x\r\n\r\n`);
    stalled.pause(); // and never read
    await waitFor(() => joined.length === 1, { what: 'stalled reader to join' });

    const healthy = flvReader(flvUrl('f4', token('f4')));
    try {
      await waitFor(() => joined.length === 2, { what: 'healthy reader to join' });
      const [slow, fast] = joined as [StreamReader, StreamReader];
      await waitFor(() => slow.dropped > 0, { timeoutMs: 20_000, what: 'the stalled reader to drop frames' });
      expect(stream.stats().droppedFrames).toBeGreaterThan(0);

      // over the next 2 s the healthy reader gets the video frames the publisher delivers
      // (~25 a second; fewer when the machine is too busy for ffmpeg to keep its pace)
      const from = Date.now();
      const videoSince = () => healthy.tags.filter((t) => t.type === FlvTagType.VIDEO && t.at >= from).length;
      const published = stream.addReader('RECORDER', 'test');
      published.take(); // what the GOP cache held is not new
      let publishedVideo = 0;
      void (async () => {
        for await (const f of published) if (f.kind === 'video') publishedVideo++;
      })();
      await new Promise((r) => setTimeout(r, 2000));
      published.close();
      // it keeps up: it has lost nothing, and what it received in the window is most of what was
      // published in it (this client parses 50 Mbit/s in the test process, which a busy machine slows)
      expect(publishedVideo).toBeGreaterThanOrEqual(10);
      expect(videoSince(), `published ${publishedVideo}`).toBeGreaterThanOrEqual(Math.floor(publishedVideo / 2));
      expect(fast.dropped).toBe(0);
      const droppedBefore = slow.dropped;
      await waitFor(() => slow.dropped > droppedBefore, { timeoutMs: 10_000, what: 'the stalled reader to keep dropping' });
    } finally {
      healthy.close();
      stalled.destroy();
    }
  });
});
