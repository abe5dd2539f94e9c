/**
 * RTSP pull with real peers: ffmpeg publishes to an Argus RTSP server, startRtspPull pulls it
 * (TCP, UDP, Digest auth) into a hub under another path, ffprobe reads the re-served stream;
 * the pull reconnects when the source restarts, and stop() closes the hub stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { rtspModule, type RtspModule } from '../src/egress/rtsp/index.js';
import { startRtspPull, type RtspPull } from '../src/ingest/rtsp-pull/index.js';
import type { MediaFrame } from '../src/hub/index.js';
import { audioStream, ffprobe, framesOf, h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, videoStream, waitFor } from './support/ffmpeg.js';

interface Node {
  dir: string;
  runtime: ServiceRuntime;
  server: MediaServer;
  rtsp: RtspModule;
}

const DIGEST = { realm: 'camera', username: 'admin', password: 's3cret' };
const logger = createLogger('t', 'error');
let a: Node; // re-serves what it pulls
let b: Node; // the "camera": requires Digest credentials
const pulls: RtspPull[] = [];

async function startNode(options: Parameters<typeof rtspModule>[0]): Promise<Node> {
  const dir = await mkdtemp(join(tmpdir(), 'argus-rtsp-pull-'));
  const runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), logger, new InProcessBus());
  const server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  const rtsp = rtspModule(options);
  await server.start([rtsp]);
  return { dir, runtime, server, rtsp };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startNode({}), startNode({ requireDigest: DIGEST })]);
});

afterEach(async () => {
  await Promise.all(pulls.splice(0).map((p) => p.stop()));
  await killAllFfmpeg();
});

afterAll(async () => {
  for (const n of [a, b]) {
    await n?.server.close();
    if (n) await rm(n.dir, { recursive: true, force: true });
  }
});

const url = (n: Node, ch: string, auth = '') => `rtsp://${auth}127.0.0.1:${n.rtsp.port}/live/${ch}/primary`;
const key = (n: Node, ch: string) => publishKeyFor(n.runtime.config.deriveKey('publish-keys'), `live/${ch}/primary`);
const token = (n: Node, ch: string) =>
  PlayTokenCodec.fromConfig(n.runtime.config).sign({
    grantId: `g-${ch}`, tenantId: 't1', channelId: ch, stream: 'primary', protocol: 'RTSP', exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
  });

function publish(n: Node, ch: string, auth = '') {
  const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'rtsp', '-rtsp_transport', 'tcp', `${url(n, ch, auth)}?key=${key(n, ch)}`]);
  return waitFor(() => n.server.hub.get(`live/${ch}/primary`)?.ready && pub, { timeoutMs: 10_000, what: `publish ${ch}: ${pub.stderr()}` });
}

function pull(from: string, path: string, transport: 'tcp' | 'udp', extra: { username?: string; password?: string } = {}): RtspPull {
  const p = startRtspPull({ url: from, path, transport, hub: a.server.hub, logger, minBackoffMs: 200, maxBackoffMs: 1000, timeoutMs: 5000, ...extra });
  pulls.push(p);
  return p;
}

async function probeReserved(ch: string, transport: 'tcp' | 'udp' = 'tcp') {
  const probe = await ffprobe(`${url(a, ch)}?token=${token(a, ch)}`, { readSeconds: 2, inputArgs: ['-rtsp_transport', transport] });
  expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
  expect(audioStream(probe)).toMatchObject({ codec_name: 'aac' });
  expect(framesOf(probe, 'video').length).toBeGreaterThan(10);
  return probe;
}

describe('RTSP pull', () => {
  it.each(['tcp', 'udp'] as const)('pulls over %s and re-serves the stream; stop() closes it', async (transport) => {
    await publish(a, `src-${transport}`);
    const p = pull(`${url(a, `src-${transport}`)}?token=${token(a, `src-${transport}`)}`, `live/dst-${transport}/primary`, transport);
    const stream = await waitFor(() => p.stream.ready && p.stream, { timeoutMs: 10_000, what: 'pulled stream ready' });
    expect(stream.publisher.protocol).toBe('RTSP_PULL');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'AAC', sampleRate: 44100 });
    await probeReserved(`dst-${transport}`, transport);
    await p.stop();
    expect(stream.closed).toBe(true);
    expect(a.server.hub.get(`live/dst-${transport}/primary`)).toBeUndefined();
  });

  it('answers a Digest challenge, and keeps retrying with a wrong password', async () => {
    await publish(b, 'cam', `${DIGEST.username}:${DIGEST.password}@`);
    const src = `${url(b, 'cam')}?token=${token(b, 'cam')}`;
    const bad = pull(src, 'live/denied/primary', 'tcp', { username: DIGEST.username, password: 'wrong' });
    const good = pull(src, 'live/digest/primary', 'tcp', { username: DIGEST.username, password: DIGEST.password });
    await waitFor(() => good.stream.ready, { timeoutMs: 10_000, what: 'digest pull ready' });
    await probeReserved('digest');
    expect(bad.stream.ready).toBe(false);
    expect(bad.attempts).toBeGreaterThan(1);
  });

  it('reconnects when the source restarts, with timestamps that keep increasing', async () => {
    let pub = await publish(a, 'src-re');
    const p = pull(`${url(a, 'src-re')}?token=${token(a, 'src-re')}`, 'live/dst-re/primary', 'tcp');
    await waitFor(() => p.stream.ready, { timeoutMs: 10_000, what: 'pulled stream ready' });
    const reader = p.stream.addReader('RTSP');
    const seen: MediaFrame[] = [];
    void (async () => {
      for await (const f of reader) seen.push(f);
    })();
    await waitFor(() => seen.length > 20, { what: 'frames before the restart' });
    await pub.kill();
    await waitFor(() => !a.server.hub.get('live/src-re/primary'), { what: 'source gone' });
    const before = seen.length;
    pub = await publish(a, 'src-re');
    await waitFor(() => seen.length > before + 40, { timeoutMs: 15_000, what: 'frames after the restart' });
    expect(p.attempts).toBeGreaterThanOrEqual(2);
    expect(p.stream.closed).toBe(false);
    for (const kind of ['video', 'audio'] as const) {
      const dts = seen.filter((f) => f.kind === kind).map((f) => f.dts);
      expect(dts.every((d, i) => i === 0 || d >= dts[i - 1]!)).toBe(true);
    }
    reader.close();
    await probeReserved('dst-re');
  });
});
