/**
 * RTSP pull from a REAL RTSP server: GStreamer's gst-rtsp-server (tools/rtsp-test-server.py,
 * H.264 640x360 test pattern + AAC) is the camera. startRtspPull pulls it over TCP and over UDP,
 * with Digest and Basic credentials, into the hub of a MediaServer, and ffprobe reads the relayed
 * stream over every output: RTMP, HTTP-FLV, HLS, RTSP (TCP and UDP).
 *
 * Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and GStreamer plugins (base, good, ugly,
 * bad); .ci/run installs them. Without them locally the suite is skipped with a message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, type PlayProtocol, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, type RtmpModule } from '../src/ingest/rtmp/index.js';
import { flvModule } from '../src/egress/flv/index.js';
import { hlsModule } from '../src/egress/hls/index.js';
import { rtspModule, type RtspModule } from '../src/egress/rtsp/index.js';
import { startRtspPull, type RtspPull } from '../src/ingest/rtsp-pull/index.js';
import { audioStream, ffprobe, framesOf, isIncreasing, killAllFfmpeg, videoStream, waitFor, type ProbeResult } from './support/ffmpeg.js';

const PYTHON = '/usr/bin/python3';
const SERVER_SCRIPT = fileURLToPath(new URL('../../tools/rtsp-test-server.py', import.meta.url));
const CREDS = { username: 'admin', password: 's3cret' };

/** Why GStreamer's RTSP server cannot run here, or null when it can. */
function missingGstreamer(): string | null {
  const gi = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('GstRtspServer','1.0'); from gi.repository import GstRtspServer"], { encoding: 'utf8' });
  if (gi.status !== 0) return `python3-gi / gir1.2-gst-rtsp-server-1.0 missing (${(gi.stderr || gi.error?.message || '').trim().split('\n').pop()})`;
  const elements = spawnSync(PYTHON, ['-c', [
    'import gi, sys', "gi.require_version('Gst','1.0')", 'from gi.repository import Gst', 'Gst.init(None)',
    "need = ['videotestsrc','x264enc','rtph264pay','audiotestsrc','rtpmp4gpay','aacparse']",
    "miss = [n for n in need if not Gst.ElementFactory.find(n)] + ([] if any(Gst.ElementFactory.find(n) for n in ('voaacenc','avenc_aac')) else ['voaacenc|avenc_aac'])",
    "print(' '.join(miss)); sys.exit(1 if miss else 0)",
  ].join('\n')], { encoding: 'utf8' });
  if (elements.status !== 0) return `GStreamer elements missing: ${elements.stdout.trim() || elements.stderr.trim()}`;
  return null;
}

const missing = missingGstreamer();
if (missing) {
  process.stderr.write(`\n[rtsp-gstreamer.test] SKIPPED: ${missing}. Install: apt-get install gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-{base,good,ugly,bad} gstreamer1.0-libav (.ci/run does)\n`);
}

interface GstServer {
  child: ChildProcessWithoutNullStreams;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts tools/rtsp-test-server.py on an ephemeral port; resolves once it printed READY. */
async function startGstServer(auth?: 'digest' | 'basic'): Promise<GstServer> {
  const args = [SERVER_SCRIPT, '0', ...(auth ? [`${CREDS.username}:${CREDS.password}`, auth] : [])];
  // stdin stays a pipe: the server exits when it closes, so none outlives this process
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rtsp-test-server did not start: ${err}`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rtsp-test-server exited ${code}: ${err}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    port,
    url: `rtsp://127.0.0.1:${port}/test`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

const logger = createLogger('t', 'error');
let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let rtsp: RtspModule;
const cameras: Record<'open' | 'digest' | 'basic', GstServer | undefined> = { open: undefined, digest: undefined, basic: undefined };
const pulls: RtspPull[] = [];

describe.skipIf(missing !== null)('RTSP pull from GStreamer’s RTSP server, relayed to every output', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-rtsp-gst-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), logger, new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    rtsp = rtspModule({});
    await server.start([rtmp, flvModule(), hlsModule({ segmentTargetMs: 1000, idleStopMs: 5000 }), rtsp]);
    [cameras.open, cameras.digest, cameras.basic] = await Promise.all([startGstServer(), startGstServer('digest'), startGstServer('basic')]);
  }, 20_000);

  afterEach(async () => {
    await Promise.all(pulls.splice(0).map((p) => p.stop()));
    await killAllFfmpeg();
  });

  afterAll(async () => {
    await Promise.all(Object.values(cameras).map((c) => c?.stop()));
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function pull(ch: string, from: GstServer, transport: 'tcp' | 'udp', creds: { username?: string; password?: string } = {}): RtspPull {
    const p = startRtspPull({
      url: from.url, path: `live/${ch}/primary`, transport, hub: server.hub, logger, minBackoffMs: 200, maxBackoffMs: 1000, timeoutMs: 5000, ...creds,
    });
    pulls.push(p);
    return p;
  }

  const token = (ch: string, protocol: PlayProtocol) =>
    PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: `g-${ch}-${protocol}`, tenantId: 't1', channelId: ch, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
    });

  type Output = 'RTMP' | 'HTTP-FLV' | 'HLS' | 'RTSP/TCP' | 'RTSP/UDP';
  const OUTPUTS: Output[] = ['RTMP', 'HTTP-FLV', 'HLS', 'RTSP/TCP', 'RTSP/UDP'];

  function probeOutput(ch: string, output: Output): Promise<ProbeResult> {
    const http = `http://127.0.0.1:${server.httpPort}/live/${ch}/primary`;
    const rtspUrl = `rtsp://127.0.0.1:${rtsp.port}/live/${ch}/primary?token=${token(ch, 'RTSP')}`;
    switch (output) {
      case 'RTMP':
        return ffprobe(`rtmp://127.0.0.1:${rtmp.port}/live/${ch}/primary?token=${token(ch, 'RTMP')}`, { readSeconds: 2 });
      case 'HTTP-FLV':
        return ffprobe(`${http}.flv?token=${token(ch, 'FLV')}`, { readSeconds: 2 });
      case 'HLS':
        return ffprobe(`${http}/index.m3u8?token=${token(ch, 'HLS')}`, { readSeconds: 2 });
      case 'RTSP/TCP':
        return ffprobe(rtspUrl, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'tcp'] });
      case 'RTSP/UDP':
        return ffprobe(rtspUrl, { readSeconds: 2, inputArgs: ['-rtsp_transport', 'udp'] });
    }
  }

  /** What a user checks: H.264 640x360 + AAC 44.1 kHz, frames arriving, timestamps increasing. */
  function expectPlayable(output: Output, probe: ProbeResult) {
    const why = `${output}: ${probe.stderr}`;
    expect(videoStream(probe), why).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(audioStream(probe), why).toMatchObject({ codec_name: 'aac', sample_rate: '44100' });
    const video = framesOf(probe, 'video');
    const audio = framesOf(probe, 'audio');
    expect(video.length, why).toBeGreaterThan(10);
    expect(audio.length, why).toBeGreaterThan(10);
    expect(isIncreasing(video.map((f) => f.pts)), `${why} video pts`).toBe(true);
    expect(isIncreasing(audio.map((f) => f.pts)), `${why} audio pts`).toBe(true);
  }

  async function expectRelayedEverywhere(ch: string, outputs: Output[] = OUTPUTS) {
    const probes = await Promise.all(outputs.map((o) => probeOutput(ch, o)));
    outputs.forEach((o, i) => expectPlayable(o, probes[i]!));
  }

  async function ready(p: RtspPull, what: string) {
    const stream = await waitFor(() => p.stream.ready && p.stream, { timeoutMs: 10_000, what });
    expect(stream.publisher.protocol).toBe('RTSP_PULL');
    expect(stream.tracks.video).toMatchObject({ codec: 'H264', width: 640, height: 360 });
    expect(stream.tracks.audio).toMatchObject({ codec: 'AAC', sampleRate: 44100 });
    return stream;
  }

  it.each(['tcp', 'udp'] as const)('pulls over %s and relays to RTMP, HTTP-FLV, HLS and RTSP (TCP and UDP)', async (transport) => {
    const ch = `gst-${transport}`;
    const p = pull(ch, cameras.open!, transport);
    await ready(p, `pull over ${transport}`);
    await expectRelayedEverywhere(ch);
    expect(p.connected).toBe(true);
    await p.stop();
    expect(server.hub.get(`live/${ch}/primary`)).toBeUndefined();
  }, 30_000);

  it.each([
    ['digest', 'tcp'],
    ['basic', 'udp'],
  ] as const)('answers a %s challenge (pull over %s); a wrong password never gets the stream', async (auth, transport) => {
    const ch = `gst-${auth}`;
    const good = pull(ch, cameras[auth]!, transport, CREDS);
    const bad = pull(`${ch}-bad`, cameras[auth]!, transport, { username: CREDS.username, password: 'wrong' });
    await ready(good, `${auth} pull`);
    await expectRelayedEverywhere(ch, ['RTSP/TCP', 'HTTP-FLV']);
    await waitFor(() => bad.attempts > 1, { what: 'retries with a wrong password' });
    expect(bad.stream.ready).toBe(false);
  }, 30_000);
});
