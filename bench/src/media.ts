import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol } from '@argus/platform';
import { flvViewer } from './media-flv-client.js';
import { rtmpViewer, type Viewer } from './media-rtmp-client.js';
import {
  childrenOf, cpuSeconds, encodeSource, freePort, hostCpu, publish, rssMB, startNginxRtmp, type Proc,
} from './media-proc.js';
import { percentile, report, round, type Row } from './report.js';

/**
 * bench/media: RTMP and HTTP-FLV fan-out of one 2 Mbit/s H.264 + AAC stream, Argus side by side
 * with nginx-rtmp (Debian's libnginx-mod-rtmp) in the same run.
 * - Argus's MediaServer (rtmp, flv, hls modules, in-process bus) runs alone in a child process
 *   (media-server-child.ts); nginx runs as another child; ffmpeg publishes the same pre-encoded
 *   test pattern (-re, stream copy, looped) to each.
 * - For each server/protocol and each N: N viewers held `seconds`; viewers still receiving,
 *   viewers held without loss (≥ 90 % of the expected bytes), egress, server CPU and RSS, and
 *   time to first keyframe of ~`probes` fresh players opened during the hold.
 *   npm run bench -- media [--viewers 100,400,800,1600] [--seconds 15] [--probes 20] [--nginx-workers 1]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string', default: '100,400,800,1600' },
      seconds: { type: 'string', default: '15' },
      probes: { type: 'string', default: '20' },
      'nginx-workers': { type: 'string', default: '1' },
      'connect-concurrency': { type: 'string', default: '200' },
    },
  });
  const counts = values.viewers.split(',').map(Number).filter((n) => n > 0);
  const seconds = Number(values.seconds);
  const probes = Number(values.probes);
  const nginxWorkers = Number(values['nginx-workers']);
  const concurrency = Number(values['connect-concurrency']);

  // what else the machine is doing (other benchmarks would skew every number here)
  const idle0 = hostCpu();
  await sleep(3000);
  const idle1 = hostCpu();
  const backgroundHostCpu = round(((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * 100 * cpus().length, 0);
  if (backgroundHostCpu > 15) process.stderr.write(`warning: the machine is already ${backgroundHostCpu} % busy (of ${cpus().length * 100} %) before the benchmark starts\n`);

  const dir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const procs: Proc[] = [];
  let argus: ChildProcess | null = null;
  const rows: Row[] = [];
  const meta: Record<string, unknown> = { backgroundHostCpu };
  // an interrupted run must not leave nginx, ffmpeg or the Argus child behind
  const onSignal = () => {
    for (const p of procs) p.child.kill('SIGKILL');
    argus?.kill('SIGKILL');
    void rm(dir, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // the source: encoded once, so no encoder competes with the servers for the 2 cores
    const src = join(dir, 'source.flv');
    const srcSeconds = 20;
    process.stderr.write('encoding the test pattern…\n');
    await encodeSource(src, srcSeconds, procs);
    const srcBytesPerSec = (await stat(src)).size / srcSeconds;

    const masterKey = randomBytes(32).toString('base64');
    const config = loadConfig({ ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus') });
    const [httpPort, argusRtmpPort, nginxPort] = [await freePort(), await freePort(), await freePort()];

    argus = fork(join(dirname(fileURLToPath(import.meta.url)), 'media-server-child.js'), [], {
      env: {
        ...process.env, ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus'), LOG_LEVEL: 'error',
        BENCH_MEDIA_HTTP_PORT: String(httpPort), BENCH_MEDIA_RTMP_PORT: String(argusRtmpPort),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: process.env.BENCH_MEDIA_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_MEDIA_CPU_PROF] : [],
    });
    const argusChild = argus;
    await new Promise<void>((resolve, reject) => {
      argusChild.once('message', () => resolve());
      argusChild.once('exit', (code) => reject(new Error(`Argus media child exited with ${code}`)));
    });
    const argusPid = argus.pid!;
    const nginx = startNginxRtmp(dir, nginxPort, nginxWorkers);
    procs.push(nginx);
    const nginxWorkersPids = async () => {
      for (let i = 0; i < 50; i++) {
        const w = childrenOf(nginx.child.pid!);
        if (w.length >= nginxWorkers) return w;
        await sleep(100);
      }
      throw new Error(`nginx workers did not start: ${nginx.stderr()}`);
    };
    const nginxPids = await nginxWorkersPids();

    const channel = 'bench1';
    const path = `live/${channel}/primary`;
    const key = publishKeyFor(config.deriveKey('publish-keys'), path);
    const codec = PlayTokenCodec.fromConfig(config);
    const token = (protocol: PlayProtocol) =>
      codec.sign({ grantId: 'bench', tenantId: 'bench', channelId: channel, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 3600, maxUses: 0 });
    procs.push(publish(src, `rtmp://127.0.0.1:${argusRtmpPort}/${path}?key=${key}`));
    procs.push(publish(src, `rtmp://127.0.0.1:${nginxPort}/live/bench`));

    const rtmpToken = token('RTMP');
    const flvToken = token('FLV');
    const targets: Target[] = [
      { server: 'nginx-rtmp', proto: 'RTMP', pids: nginxPids, open: () => rtmpViewer({ host: '127.0.0.1', port: nginxPort, app: 'live', name: 'bench' }) },
      { server: 'argus', proto: 'RTMP', pids: [argusPid], open: () => rtmpViewer({ host: '127.0.0.1', port: argusRtmpPort, app: 'live', name: `${channel}/primary?token=${rtmpToken}` }) },
      { server: 'argus', proto: 'HTTP-FLV', pids: [argusPid], open: () => flvViewer(`http://127.0.0.1:${httpPort}/${path}.flv?token=${flvToken}`) },
    ];
    for (const t of targets) await waitPlayable(t, procs);
    meta.idleRssMB = { argus: round(rssMB([argusPid]), 1), nginxWorkers: round(rssMB(nginxPids), 1) };

    for (const n of counts) {
      for (const t of targets) {
        process.stderr.write(`${t.server} ${t.proto} ×${n}…\n`);
        const row = await phase(t, n, { seconds, probes, concurrency, srcBytesPerSec });
        process.stderr.write(`  ${JSON.stringify(row)}\n`);
        rows.push(row);
      }
    }
    Object.assign(meta, {
      viewers: counts, seconds, probes, nginxWorkers, connectConcurrency: concurrency,
      stream: { kbitPerSec: round((srcBytesPerSec * 8) / 1000, 0), video: 'H.264 main 1280x720 25 fps, -b:v 2M -maxrate 2M -bufsize 2M -g 50 (testsrc + noise)', audio: 'AAC 128k 44.1 kHz' },
      publisher: `ffmpeg -re -stream_loop -1 -c copy of a ${srcSeconds} s file encoded once before the run (a live x264 720p encode per server would take ~40 % of a core each)`,
      note: [
        'One 2-core machine: the load generator (this process: all viewers and probes) shares the 2 cores with the server under test; loadgenCpu is its CPU % (of one core), hostCpu the whole machine (of 200 %).',
        'Both servers and both publishers run during the whole run; only the server of a row has viewers.',
        'held = viewers that received ≥ 90 % of the bytes the publisher sent during the hold window (stream rate × window); receiving = still connected and got bytes in the last 2 s.',
        'serverCpu = utime+stime delta of the server process (nginx: its worker processes) over the window, % of one core (serverSys: its stime part, i.e. in the kernel: socket writes and, on loopback, delivery to the reader); rssMB = peak VmRSS during the hold; rssAfterMB = VmRSS 3 s after all viewers left.',
        'ttff = time from TCP connect (RTMP) / HTTP request (FLV) to the first complete video keyframe (a decodable frame, not the sequence header) for fresh players opened while the N viewers are held; Argus starts a new player at the GOP cache, nginx-rtmp (defaults, no GOP cache) at the next keyframe (GOP 2 s).',
        'Viewers are cheap clients: RTMP chunk headers and FLV tag headers are parsed, payloads only counted (no copies, no decoding).',
      ],
    });
  } finally {
    for (const p of procs.reverse()) await p.stop();
    if (argus && argus.exitCode === null) {
      const child = argus;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report('media', rows, meta);
}

interface Target {
  server: string;
  proto: 'RTMP' | 'HTTP-FLV';
  /** Processes whose CPU and RSS are the server's. */
  pids: number[];
  open(): Viewer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a fresh player of `t` gets a keyframe (the publisher is in). */
async function waitPlayable(t: Target, procs: Proc[]): Promise<void> {
  const deadline = performance.now() + 30_000;
  let last = '';
  while (performance.now() < deadline) {
    const v = t.open();
    await Promise.race([v.keyframe, sleep(5000)]);
    const ok = !Number.isNaN(v.firstKeyframeMs);
    last = v.error ?? 'no keyframe within 5 s';
    v.close();
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`${t.server} ${t.proto} never played: ${last}\n${procs.map((p) => p.stderr()).join('\n')}`);
}

async function phase(t: Target, n: number, o: { seconds: number; probes: number; concurrency: number; srcBytesPerSec: number }): Promise<Row> {
  const viewers: Viewer[] = [];
  const openStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, n) }, async () => {
      while (next < n) {
        next++;
        const v = t.open();
        viewers.push(v);
        await Promise.race([v.started.catch(() => undefined), sleep(15_000)]);
      }
    }),
  );
  const openSeconds = (performance.now() - openStarted) / 1000;
  await sleep(1000); // past the GOP-cache burst of the last joiners

  const playing = viewers.filter((v) => v.playing && !v.closed).length;
  const bytes0 = viewers.map((v) => v.bytes);
  const frames0 = viewers.map((v) => v.videoFrames);
  const cpu0 = cpuSeconds(t.pids);
  const host0 = hostCpu();
  const lg0 = process.cpuUsage();
  const t0 = performance.now();
  let rssPeak = rssMB(t.pids);
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, rssMB(t.pids))), 1000);

  // fresh players during the hold: connect → first keyframe
  const ttff: number[] = [];
  const probing = Promise.all(
    Array.from({ length: o.probes }, async (_, i) => {
      await sleep((i * o.seconds * 1000) / o.probes);
      const p = t.open();
      await Promise.race([p.keyframe, sleep(5000)]);
      if (!Number.isNaN(p.firstKeyframeMs)) ttff.push(p.firstKeyframeMs);
      p.close();
    }),
  );
  await sleep(Math.max(0, o.seconds * 1000 - 2000));
  const bytesLate = viewers.map((v) => v.bytes);
  await sleep(Math.min(2000, o.seconds * 1000));
  const window = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(t.pids);
  const host1 = hostCpu();
  const lg = process.cpuUsage(lg0);
  clearInterval(rssTimer);
  rssPeak = Math.max(rssPeak, rssMB(t.pids));

  const expected = o.srcBytesPerSec * window;
  let held = 0;
  let receiving = 0;
  let got = 0;
  let frames = 0;
  viewers.forEach((v, i) => {
    const d = v.bytes - bytes0[i]!;
    got += d;
    frames += v.videoFrames - frames0[i]!;
    if (!v.closed && d >= 0.9 * expected) held++;
    if (!v.closed && v.bytes > bytesLate[i]!) receiving++;
  });
  await probing;
  const errors = new Map<string, number>();
  for (const v of viewers) if (v.error) errors.set(v.error, (errors.get(v.error) ?? 0) + 1);
  if (errors.size) process.stderr.write(`  viewer errors: ${JSON.stringify(Object.fromEntries(errors))}\n`);

  for (const v of viewers) v.close();
  await sleep(3000);
  const rssAfter = rssMB(t.pids);
  return {
    server: t.server,
    proto: t.proto,
    viewers: n,
    playing,
    receiving,
    held,
    egressMbps: round((got * 8) / window / 1e6, 0),
    fpsAvg: round(frames / Math.max(1, playing) / window, 1),
    serverCpu: round(((cpu1.total - cpu0.total) / window) * 100, 0),
    serverSys: round(((cpu1.sys - cpu0.sys) / window) * 100, 0),
    hostCpu: round(((host1.busy - host0.busy) / (host1.total - host0.total)) * 100 * cpus().length, 0),
    loadgenCpu: round(((lg.user + lg.system) / 1e6 / window) * 100, 0),
    rssMB: round(rssPeak, 0),
    rssAfterMB: round(rssAfter, 0),
    ttffP50ms: round(percentile(ttff, 50), 0),
    ttffP99ms: round(percentile(ttff, 99), 0),
    probesOk: `${ttff.length}/${o.probes}`,
    openSec: round(openSeconds, 1),
  };
}
