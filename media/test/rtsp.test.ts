/**
 * RTSP server with real peers: ffmpeg publishes (ANNOUNCE/RECORD over TCP and UDP), ffprobe plays
 * over TCP and UDP; play tokens are checked on DESCRIBE and bound to the session; garbage and
 * malformed requests close only their own connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type ServiceRuntime } from '@argus/platform';
import { H264RtpDepacketizer, RtspStreamParser, parseRtpPacket, parseRtspRtpInfo, parseRtspTransport, type RtpPacket, type RtspResponse } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { rtspModule, type RtspModule } from '../src/egress/rtsp/index.js';
import { RtspClient } from '../src/ingest/rtsp-pull/index.js';
import { createSocket } from 'node:dgram';
import {
  audioStream, ffprobe, framesOf, h264AacArgs, killAllFfmpeg, spawnFfmpeg, spawnPeer, FFMPEG, testSourceArgs, videoStream, waitFor,
} from './support/ffmpeg.js';

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtsp: RtspModule;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-rtsp-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  rtsp = rtspModule();
  await server.start([rtsp]);
});

afterEach(() => killAllFfmpeg());

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const key = (ch: string) => publishKeyFor(runtime.config.deriveKey('publish-keys'), `live/${ch}/primary`);
const url = (ch: string) => `rtsp://127.0.0.1:${rtsp.port}/live/${ch}/primary`;

function token(channelId: string, maxUses = 0): string {
  return PlayTokenCodec.fromConfig(runtime.config).sign({
    grantId: `g-${channelId}-${maxUses}-${Math.random()}`, tenantId: 't1', channelId, stream: 'primary', protocol: 'RTSP',
    exp: Math.floor(Date.now() / 1000) + 60, maxUses,
  });
}

/** ffmpeg publishing testsrc H.264 640x360 + AAC over RTSP; resolves once the hub has it ready. */
async function publish(ch: string, transport: 'tcp' | 'udp' = 'tcp') {
  const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'rtsp', '-rtsp_transport', transport, `${url(ch)}?key=${key(ch)}`]);
  const stream = await waitFor(() => server.hub.get(`live/${ch}/primary`)?.ready && server.hub.get(`live/${ch}/primary`), {
    timeoutMs: 10_000, what: `ffmpeg publishing ${ch}: ${pub.stderr()}`,
  });
  return { pub, stream };
}

/** Sends raw bytes on a new connection; collects the responses until the server closes or `ms` pass. */
async function rawExchange(data: string | Buffer, expected = 1, ms = 1500): Promise<{ responses: RtspResponse[]; closed: boolean }> {
  const socket = connect(rtsp.port, '127.0.0.1');
  const parser = new RtspStreamParser();
  const responses: RtspResponse[] = [];
  let closed = false;
  let done = () => {};
  socket.on('data', (d) => {
    for (const item of parser.push(d)) if (item.type === 'response') responses.push(item.response);
    if (responses.length >= expected) done();
  });
  socket.on('error', () => {});
  socket.write(data);
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    done = () => (clearTimeout(t), resolve());
    socket.once('close', () => ((closed = true), done()));
  });
  socket.destroy();
  return { responses, closed };
}

const request = (method: string, uri: string, cseq = 1, extra = '') => `${method} ${uri} RTSP/1.0\r\nCSeq: ${cseq}\r\n${extra}\r\n`;

function checkProbe(probe: Awaited<ReturnType<typeof ffprobe>>) {
  expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
  expect(audioStream(probe)).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
  const video = framesOf(probe, 'video').map((f) => f.pts);
  const audio = framesOf(probe, 'audio').map((f) => f.pts);
  expect(video.length).toBeGreaterThan(10);
  expect(audio.length).toBeGreaterThan(10);
  const increasing = (v: Array<number | undefined>) => v.every((x, i) => i === 0 || (x ?? 0) > (v[i - 1] ?? 0));
  expect(increasing(video)).toBe(true);
  expect(increasing(audio)).toBe(true);
}

describe('RTSP publish and play', () => {
  it('takes an ffmpeg publish over TCP and plays it to ffprobe over TCP and UDP', async () => {
    const { stream } = await publish('cam1');
    expect(stream.publisher.protocol).toBe('RTSP');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'AAC', sampleRate: 44100, channels: 1 });
    const [tcp, udp] = await Promise.all([
      ffprobe(`${url('cam1')}?token=${token('cam1')}`, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'tcp'] }),
      ffprobe(`${url('cam1')}?token=${token('cam1')}`, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'udp'] }),
    ]);
    checkProbe(tcp);
    checkProbe(udp);
  });

  it('takes an ffmpeg publish over UDP', async () => {
    const { stream } = await publish('cam2', 'udp');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    checkProbe(await ffprobe(`${url('cam2')}?token=${token('cam2')}`, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'tcp'] }));
  });
});

describe('RTSP codecs', () => {
  it('carries H.265 + G.711 A-law from an ffmpeg publish to ffprobe', async () => {
    const ch = 'hevc';
    const pub = spawnFfmpeg([
      ...testSourceArgs({ sampleRate: 8000 }), '-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency', '-x265-params', 'log-level=error',
      '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1', '-f', 'rtsp', '-rtsp_transport', 'tcp', `${url(ch)}?key=${key(ch)}`,
    ]);
    const stream = await waitFor(() => server.hub.get(`live/${ch}/primary`)?.ready && server.hub.get(`live/${ch}/primary`), {
      timeoutMs: 15_000, what: `ffmpeg publishing H.265: ${pub.stderr()}`,
    });
    expect(stream.tracks.video).toMatchObject({ codec: 'H265', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'PCMA', sampleRate: 8000, channels: 1 });
    const probe = await ffprobe(`${url(ch)}?token=${token(ch)}`, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'tcp'] });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'hevc', width: 640, height: 360 });
    expect(audioStream(probe)).toMatchObject({ codec_name: 'pcm_alaw', sample_rate: '8000' });
    expect(framesOf(probe, 'video').length).toBeGreaterThan(5);
  });
});

describe('RTSP play authorization', () => {
  it('answers DESCRIBE with 401 for a bad or missing token, 404 for a stream nobody publishes', async () => {
    await publish('cam3');
    const bad = await rawExchange(request('DESCRIBE', `${url('cam3')}?token=pt1.bogus.sig`));
    expect(bad.responses[0]?.status).toBe(401);
    const missing = await rawExchange(request('OPTIONS', url('cam3'), 1) + request('DESCRIBE', url('cam3'), 2), 2);
    expect(missing.responses.map((r) => r.status)).toEqual([200, 401]);
    const other = await rawExchange(request('DESCRIBE', `${url('cam3')}?token=${token('cam4')}`));
    expect(other.responses[0]?.status).toBe(403);
    const probe = await ffprobe(`${url('cam3')}?token=nope`, { readSeconds: 1, inputArgs: ['-rtsp_transport', 'tcp'], showFrames: false });
    expect(probe.streams).toEqual([]);
    expect(probe.stderr).toMatch(/401/);
    const absent = await rawExchange(request('DESCRIBE', `${url('nobody')}?token=${token('nobody')}`), 1, 6000);
    expect(absent.responses[0]?.status).toBe(404);
  });

  it('refuses SETUP on a connection that was never authorized', async () => {
    await publish('cam5');
    const r = await rawExchange(request('SETUP', `${url('cam5')}/trackID=0`, 1, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n'));
    expect(r.responses[0]?.status).toBe(401);
  });

  it('counts one use per play session although the query is dropped after DESCRIBE', async () => {
    await publish('cam6');
    const once = token('cam6', 1);
    const first = await ffprobe(`${url('cam6')}?token=${once}`, { readSeconds: 1, inputArgs: ['-rtsp_transport', 'tcp'] });
    expect(videoStream(first), first.stderr).toMatchObject({ codec_name: 'h264' });
    const second = await rawExchange(request('DESCRIBE', `${url('cam6')}?token=${once}`));
    expect(second.responses[0]?.status).toBe(403);
  });

  it('refuses a publish with a wrong key', async () => {
    const r = await rawExchange(request('ANNOUNCE', `${url('cam7')}?key=wrong`, 1, 'Content-Type: application/sdp\r\nContent-Length: 5\r\n') + 'v=0\r\n');
    expect(r.responses[0]?.status).toBe(401);
    expect(server.hub.get('live/cam7/primary')).toBeUndefined();
  });
});

describe('RTSP robustness', () => {
  it('closes only the session that sent garbage or a malformed request line', async () => {
    await publish('cam8');
    // a player that keeps playing meanwhile: ffmpeg reads the stream and reports progress
    const player = spawnPeer(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', `${url('cam8')}?token=${token('cam8')}`,
      '-c', 'copy', '-f', 'null', '-progress', 'pipe:1', '-'], { captureStdout: true });
    const frames = () => Math.max(0, ...[...player.stdout().toString().matchAll(/frame=(\d+)/g)].map((m) => Number(m[1])));
    await waitFor(() => frames() > 10, { timeoutMs: 10_000, what: `player frames: ${player.stderr()}` });

    const garbage = await rawExchange(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0xff, 0xfe, 0x00]), 2);
    expect(garbage.closed).toBe(true);
    expect(garbage.responses.every((r) => r.status === 400)).toBe(true);
    const badLine = await rawExchange('DESCRIBE\r\n\r\n', 2);
    expect(badLine.closed).toBe(true);
    expect(badLine.responses[0]?.status).toBe(400);
    const badHeader = await rawExchange(`OPTIONS ${url('cam8')} RTSP/1.0\r\nCSeq 1\r\n\r\n`);
    expect(badHeader.responses[0]?.status ?? 400).toBe(400);
    const huge = await rawExchange(`OPTIONS ${url('cam8')} RTSP/1.0\r\nX: ${'a'.repeat(40_000)}\r\n\r\n`, 2);
    expect(huge.closed).toBe(true);
    const badTransport = await rawExchange(
      request('DESCRIBE', `${url('cam8')}?token=${token('cam8')}`, 1) + request('SETUP', `${url('cam8')}/trackID=0`, 2, 'Transport: RTP/AVP;multicast\r\n'),
      2,
    );
    expect(badTransport.responses.map((r) => r.status)).toEqual([200, 461]);
    const unknownSession = await rawExchange(request('PLAY', url('cam8'), 1, 'Session: deadbeef\r\n'));
    expect(unknownSession.responses[0]?.status).toBe(454);

    const before = frames();
    await waitFor(() => frames() > before + 10, { timeoutMs: 10_000, what: 'the other player to keep playing' });
    expect(player.child.exitCode).toBeNull();
  });
});

describe('RTSP players of one stream', () => {
  it('share its RTP: one SSRC, the same packets, each player starting where RTP-Info says, at a keyframe', async () => {
    await publish('cam10');
    const u = url('cam10');
    const player = async () => {
      const client = await RtspClient.connect('127.0.0.1', rtsp.port, null, 5000);
      const packets: Array<{ p: RtpPacket; raw: Buffer }> = [];
      client.on('interleaved', (channel: number, payload: Buffer) => {
        if (channel === 0) packets.push({ p: parseRtpPacket(payload), raw: Buffer.from(payload) });
      });
      expect((await client.request('DESCRIBE', `${u}?token=${token('cam10')}`)).status).toBe(200);
      const setup = await client.request('SETUP', `${u}/trackID=0`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1']]);
      const ssrc = parseRtspTransport(setup.headers.find(([k]) => k === 'Transport')![1])[0]!.ssrc;
      const played = await client.request('PLAY', u);
      const [info] = parseRtspRtpInfo(played.headers.find(([k]) => k === 'RTP-Info')![1]);
      return { client, packets, ssrc, info: info! };
    };
    const a = await player();
    await new Promise((r) => setTimeout(r, 700));
    const b = await player();
    try {
      await waitFor(() => a.packets.length > 50 && b.packets.length > 50, { timeoutMs: 10_000, what: 'RTP for both players' });
      expect(a.ssrc).toBeDefined();
      expect(b.ssrc).toBe(a.ssrc);
      for (const x of [a, b]) {
        // the first packet is the one RTP-Info names, and the first frame it starts is a keyframe
        expect(x.packets[0]!.p.sequenceNumber).toBe(x.info.seq);
        expect(x.packets[0]!.p.timestamp).toBe(x.info.rtptime);
        expect(x.packets[0]!.p.ssrc).toBe(a.ssrc);
        const d = new H264RtpDepacketizer();
        expect(x.packets.flatMap(({ p }) => d.push(p))[0]?.keyframe).toBe(true);
      }
      // where both got a sequence number, they got the same packet
      const bySeq = new Map(a.packets.map(({ p, raw }) => [p.sequenceNumber, raw]));
      const common = b.packets.filter(({ p }) => bySeq.has(p.sequenceNumber));
      expect(common.length).toBeGreaterThan(20);
      for (const { p, raw } of common) expect(raw.equals(bySeq.get(p.sequenceNumber)!)).toBe(true);
    } finally {
      a.client.close();
      b.client.close();
    }
  });
});

describe('RTSP sessions', () => {
  it('keeps a UDP session alive with GET_PARAMETER and ends it after the session timeout without', async () => {
    const short = rtspModule({ sessionTimeoutSeconds: 1 });
    const handle = await short.start(server.ctx);
    const { stream } = await publish('cam9');
    const sink = createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    let packets = 0;
    sink.on('message', () => packets++);
    const port = sink.address().port;
    const client = await RtspClient.connect('127.0.0.1', handle.port, null, 5000);
    try {
      const u = `rtsp://127.0.0.1:${handle.port}/live/cam9/primary`;
      expect((await client.request('DESCRIBE', `${u}?token=${token('cam9')}`)).status).toBe(200);
      const setup = await client.request('SETUP', `${u}/trackID=0`, [['Transport', `RTP/AVP;unicast;client_port=${port}-${port + 1}`]]);
      expect(setup.status).toBe(200);
      expect(setup.headers.find(([k]) => k === 'Session')?.[1]).toMatch(/;timeout=1$/);
      const played = await client.request('PLAY', u);
      expect(played.status).toBe(200);
      expect(played.headers.find(([k]) => k === 'RTP-Info')?.[1]).toMatch(/trackID=0;seq=\d+;rtptime=\d+/);
      const readers = stream.readerCount;
      const until = Date.now() + 2500;
      while (Date.now() < until) {
        expect((await client.request('GET_PARAMETER', u)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(stream.readerCount).toBe(readers);
      expect(packets).toBeGreaterThan(20);
      await waitFor(() => stream.readerCount === readers - 1, { timeoutMs: 8000, what: 'the silent session to time out' });
      expect((await client.request('PLAY', u).catch(() => ({ status: 0 }))).status).not.toBe(200);
    } finally {
      client.close();
      sink.close();
      await handle.close();
    }
  });
});

