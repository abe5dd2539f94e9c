/**
 * RTMP server with real peers: ffmpeg publishes, ffprobe plays; refusals for bad publish keys
 * and play tokens; garbage and truncated input close only their own session.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor,
  type PlayProtocol, type ServiceRuntime,
} from '@argus/platform';
import { RtmpChunkWriter, RtmpClientHandshake, commandMessage } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, type RtmpModule } from '../src/ingest/rtmp/index.js';
import {
  audioStream, ffprobe, framesOf, h264AacArgs, isIncreasing, killAllFfmpeg, spawnFfmpeg, testSourceArgs, videoStream, waitFor,
} from './support/ffmpeg.js';

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-rtmp-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  rtmp = rtmpModule();
  await server.start([rtmp]);
});

afterEach(() => killAllFfmpeg());

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const key = (ch: string) => publishKeyFor(runtime.config.deriveKey('publish-keys'), `live/${ch}/primary`);
const base = () => `rtmp://127.0.0.1:${rtmp.port}/live`;

function token(channelId: string, o: { protocol?: PlayProtocol; exp?: number; stream?: 'primary' | 'sub' } = {}): string {
  return PlayTokenCodec.fromConfig(runtime.config).sign({
    grantId: `g-${channelId}`, tenantId: 't1', channelId, stream: o.stream ?? 'primary', protocol: o.protocol ?? 'RTMP',
    exp: o.exp ?? Math.floor(Date.now() / 1000) + 60, maxUses: 0,
  });
}

/** ffmpeg publishing the test pattern to live/<ch>/primary; resolves once the hub has it ready. */
async function publish(ch: string) {
  const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', `${base()}/${ch}/primary?key=${key(ch)}`]);
  const stream = await waitFor(() => server.hub.get(`live/${ch}/primary`)?.ready && server.hub.get(`live/${ch}/primary`), {
    timeoutMs: 10_000, what: () => `ffmpeg publishing ${ch}: ${pub.stderr()}`,
  });
  return { pub, stream };
}

/** A raw TCP client; resolves when the server closes the connection. */
function rawClient(): { socket: Socket; closed: Promise<void>; received: () => number } {
  const socket = connect(rtmp.port, '127.0.0.1');
  let n = 0;
  socket.on('data', (d) => (n += d.length));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, closed, received: () => n };
}

async function handshake(socket: Socket): Promise<void> {
  const hs = new RtmpClientHandshake();
  socket.write(hs.start());
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer) => {
      const step = hs.push(d);
      if (step.reply) socket.write(step.reply);
      if (step.done) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
}

describe('RTMP publish and play', () => {
  it('takes an ffmpeg publish and plays it back to ffprobe: H.264 640x360 + AAC 44.1 kHz, increasing timestamps', async () => {
    const { stream } = await publish('cam1');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'AAC', sampleRate: 44100 });

    const probe = await ffprobe(`${base()}/cam1/primary?token=${token('cam1')}`, { readSeconds: 2 });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audioStream(probe)).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
    const video = framesOf(probe, 'video');
    expect(video.length).toBeGreaterThan(20);
    expect(video[0]!.key_frame).toBe(1);
    expect(isIncreasing(video.map((f) => f.pkt_dts))).toBe(true);
    expect(isIncreasing(video.map((f) => f.pts))).toBe(true);
    expect(server.hub.get('live/cam1/primary')!.stats().framesIn).toBeGreaterThan(50);
  });

  it('refuses a publish with a wrong key; nothing appears in the hub', async () => {
    const path = 'live/cam-badkey/primary';
    const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', `${base()}/cam-badkey/primary?key=${key('cam1')}`]);
    const seen: string[] = [];
    const onPublish = (s: { path: string }) => seen.push(s.path);
    server.hub.on('publish', onPublish);
    try {
      const { code } = await pub.exited;
      expect(code).not.toBe(0);
      expect(server.hub.get(path)).toBeUndefined();
      expect(seen).not.toContain(path);
    } finally {
      server.hub.off('publish', onPublish);
    }
  });

  it('refuses a second publisher on a busy path', async () => {
    await publish('cam-busy');
    const second = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', `${base()}/cam-busy/primary?key=${key('cam-busy')}`]);
    expect((await second.exited).code).not.toBe(0);
    expect(server.hub.get('live/cam-busy/primary')?.ready).toBe(true);
  });

  it('refuses play with a bad, expired, other-stream or other-protocol token', async () => {
    const { stream } = await publish('cam2');
    const bad = [
      'pt1.garbage.sig',
      token('cam2', { exp: Math.floor(Date.now() / 1000) - 10 }),
      token('cam1'),
      token('cam2', { stream: 'sub' }),
      token('cam2', { protocol: 'FLV' }),
    ];
    for (const t of bad) {
      const probe = await ffprobe(`${base()}/cam2/primary?token=${t}`, { readSeconds: 1, timeoutMs: 10_000 });
      expect(probe.code).not.toBe(0);
      expect(probe.streams).toEqual([]);
    }
    expect(stream.stats().readersByProtocol.RTMP ?? 0).toBe(0);
  });

  it('closes a session on garbage or a truncated message; the publisher and a player keep working', async () => {
    const { stream } = await publish('cam3');

    // not RTMP at all
    const garbage = rawClient();
    garbage.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'x'.repeat(3000)));
    await garbage.closed;

    // a handshake, then a chunk stream that starts with a continuation header
    const bogus = rawClient();
    await handshake(bogus.socket);
    bogus.socket.write(Buffer.from([0xc3, 1, 2, 3, 4]));
    await bogus.closed;

    // a message longer than the server's bound (8 MiB)
    const huge = rawClient();
    await handshake(huge.socket);
    huge.socket.write(Buffer.from([0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0]));
    await huge.closed;

    // a connect command cut off in the middle, then the client goes
    const cut = rawClient();
    await handshake(cut.socket);
    const connectBytes = new RtmpChunkWriter().write(commandMessage('connect', 1, { app: 'live/cam3', tcUrl: `${base()}/cam3` }));
    cut.socket.end(connectBytes.subarray(0, connectBytes.length - 20));
    await cut.closed;

    const framesBefore = stream.stats().framesIn;
    const probe = await ffprobe(`${base()}/cam3/primary?token=${token('cam3')}`, { readSeconds: 1 });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(framesOf(probe, 'video').length).toBeGreaterThan(10);
    expect(stream.closed).toBe(false);
    expect(stream.stats().framesIn).toBeGreaterThan(framesBefore);
  });

  it('ends the hub stream when the publisher leaves', async () => {
    const { pub, stream } = await publish('cam4');
    await pub.kill();
    await waitFor(() => stream.closed, { timeoutMs: 5000, what: 'stream to close' });
    expect(server.hub.get('live/cam4/primary')).toBeUndefined();
  });
});
