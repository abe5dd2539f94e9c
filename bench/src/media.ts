import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig, PlayTokenCodec, publishKeyFor, type PlayProtocol } from '@argus/platform';
import { flvViewer } from './media-flv-client.js';
import { rtmpViewer, type RtmpPlayTarget, type Viewer } from './media-rtmp-client.js';
import { childrenOf, cpuSeconds, encodeSource, freePort, hostCpu, rssMB, startNginxRtmp, type Proc } from './media-proc.js';
import type { Probe, ProbeResult, ProbeTarget } from './media-probe-child.js';
import type { RtmpTarget } from './media-publisher.js';
import { loadFlvSource } from './media-publisher.js';
import { percentile, report, round, type Row } from './report.js';

/**
 * bench/media: one 2 Mbit/s H.264 + AAC stream relayed by Argus, side by side with nginx-rtmp
 * (Debian's libnginx-mod-rtmp) in the same run.
 * - Argus's MediaServer (RTMP, FLV, HLS, RTSP modules, in-process bus) runs alone in a child
 *   process; nginx runs as another; a publisher child (media-publisher.ts) publishes the same
 *   pre-encoded test pattern to both at its own pace, with a send-time mark in every video frame;
 *   a probe child (media-probe-child.ts) measures time to first frame, relay delay and LL-HLS
 *   live-edge latency away from the load viewers, which live in this process.
 * - latency: with no other viewers, time to first frame (request → first keyframe / first
 *   playable media) p50/p99 for RTMP, HTTP-FLV, RTSP, HLS, LL-HLS (nginx-rtmp: RTMP), relay delay
 *   publisher → viewer p50/p99 for RTMP, HTTP-FLV, RTSP, and how far behind live an LL-HLS client
 *   with blocking playlist reloads is.
 * - scan: for each N, N viewers held `seconds` per server and protocol: viewers held without
 *   loss, egress, server CPU-seconds per viewer-second (above the server's idle cost with the
 *   publisher alone), RSS, and time to first frame and relay delay of probes during the hold.
 * - memory: rounds of N HTTP-FLV viewers on Argus; RSS and JS heap after each (must not grow).
 *   npm run bench -- media [--viewers 100,400,800,1600] [--seconds 15] [--probes 20] [--sections latency,scan,memory]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string', default: '100,400,800,1600' },
      seconds: { type: 'string', default: '15' },
      probes: { type: 'string', default: '20' },
      'load-probes': { type: 'string', default: '10' },
      'delay-seconds': { type: 'string', default: '10' },
      'delay-viewers': { type: 'string', default: '3' },
      'edge-seconds': { type: 'string', default: '15' },
      'memory-rounds': { type: 'string', default: '3' },
      'memory-viewers': { type: 'string', default: '800' },
      sections: { type: 'string', default: 'latency,scan,memory' },
      'nginx-workers': { type: 'string', default: '1' },
      'connect-concurrency': { type: 'string', default: '200' },
    },
  });
  const counts = values.viewers.split(',').map(Number).filter((n) => n > 0);
  const o = {
    seconds: Number(values.seconds),
    probes: Number(values.probes),
    loadProbes: Number(values['load-probes']),
    delaySeconds: Number(values['delay-seconds']),
    delayViewers: Number(values['delay-viewers']),
    edgeSeconds: Number(values['edge-seconds']),
    memoryRounds: Number(values['memory-rounds']),
    memoryViewers: Number(values['memory-viewers']),
    concurrency: Number(values['connect-concurrency']),
  };
  const sections = new Set(values.sections.split(','));
  const nginxWorkers = Number(values['nginx-workers']);

  // what else the machine is doing (other benchmarks would skew every number here)
  const idle0 = hostCpu();
  await sleep(3000);
  const idle1 = hostCpu();
  const backgroundHostCpu = round(((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * 100 * cpus().length, 0);
  if (backgroundHostCpu > 15) process.stderr.write(`warning: the machine is already ${backgroundHostCpu} % busy (of ${cpus().length * 100} %) before the benchmark starts\n`);

  const dir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const procs: Proc[] = [];
  const children: ChildProcess[] = [];
  const rows: Row[] = [];
  const tables: Record<string, Row[]> = {};
  const meta: Record<string, unknown> = { backgroundHostCpu };
  // an interrupted run must not leave nginx or a child behind
  const onSignal = () => {
    for (const p of procs) p.child.kill('SIGKILL');
    for (const c of children) c.kill('SIGKILL');
    void rm(dir, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // the source: encoded once, so no encoder competes with the servers for the 2 cores
    const src = join(dir, 'source.flv');
    process.stderr.write('encoding the test pattern…\n');
    await encodeSource(src, 20, procs);
    const source = loadFlvSource(src);
    const srcBytesPerSec = source.frames.reduce((n, f) => n + f.data.length + 15, 0) / (source.durationMs / 1000);

    const masterKey = randomBytes(32).toString('base64');
    const config = loadConfig({ ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus') });
    const here = dirname(fileURLToPath(import.meta.url));

    const argus = await startChild<{ httpPort: number; rtmpPort: number; rtspPort: number }>(join(here, 'media-server-child.js'), children, {
      ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus'), LOG_LEVEL: 'error',
    }, ['--expose-gc', ...(process.env.BENCH_MEDIA_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_MEDIA_CPU_PROF] : [])]);
    const argusPid = argus.child.pid!;
    const nginxPort = await freePort();
    const nginx = startNginxRtmp(dir, nginxPort, nginxWorkers);
    procs.push(nginx);
    const nginxPids = await workersOf(nginx, nginxWorkers);

    const channel = 'bench1';
    const path = `live/${channel}/primary`;
    const key = publishKeyFor(config.deriveKey('publish-keys'), path);
    const codec = PlayTokenCodec.fromConfig(config);
    const token = (protocol: PlayProtocol) =>
      codec.sign({ grantId: 'bench', tenantId: 'bench', channelId: channel, stream: 'primary', protocol, exp: Math.floor(Date.now() / 1000) + 6 * 3600, maxUses: 0 });
    const publishTargets: RtmpTarget[] = [
      { host: '127.0.0.1', port: argus.info.rtmpPort, app: 'live', name: `${channel}/primary?key=${key}` },
      { host: '127.0.0.1', port: nginxPort, app: 'live', name: 'bench' },
    ];
    await startChild(join(here, 'media-publisher-child.js'), children, { BENCH_PUBLISH_FILE: src, BENCH_PUBLISH_TARGETS: JSON.stringify(publishTargets) });
    const probe = await startProbe(join(here, 'media-probe-child.js'), children);

    const http = `http://127.0.0.1:${argus.info.httpPort}/${path}`;
    const play = {
      nginxRtmp: { host: '127.0.0.1', port: nginxPort, app: 'live', name: 'bench' } satisfies RtmpPlayTarget,
      argusRtmp: { host: '127.0.0.1', port: argus.info.rtmpPort, app: 'live', name: `${channel}/primary?token=${token('RTMP')}` } satisfies RtmpPlayTarget,
      flv: `${http}.flv?token=${token('FLV')}`,
      rtsp: `rtsp://127.0.0.1:${argus.info.rtspPort}/${path}?token=${token('RTSP')}`,
      hls: `${http}/index.m3u8?token=${token('HLS')}`,
      llhls: `${http}/ll.m3u8?token=${token('LL_HLS')}`,
    };
    const targets: Target[] = [
      { server: 'nginx-rtmp', proto: 'RTMP', pids: nginxPids, open: () => rtmpViewer(play.nginxRtmp), probe: { proto: 'RTMP', rtmp: play.nginxRtmp } },
      { server: 'argus', proto: 'RTMP', pids: [argusPid], open: () => rtmpViewer(play.argusRtmp), probe: { proto: 'RTMP', rtmp: play.argusRtmp } },
      { server: 'argus', proto: 'HTTP-FLV', pids: [argusPid], open: () => flvViewer(play.flv), probe: { proto: 'FLV', url: play.flv } },
    ];
    for (const t of targets) await waitPlayable(t, procs);

    // each server's CPU with the publisher alone: what a viewer costs is measured above it
    const idle = await measureIdle([nginxPids, [argusPid]], 5);
    for (const t of targets) t.idleCpu = t.server === 'argus' ? idle[1]! : idle[0]!;
    const idleMemory = { argus: await memoryOf(argus.child, argusPid), nginxWorkersRssMB: round(rssMB(nginxPids), 1) };
    meta.idle = { cpuPercent: { nginx: round(idle[0]! * 100, 1), argus: round(idle[1]! * 100, 1) }, memory: idleMemory };

    if (sections.has('latency')) {
      tables['media latency (no other viewers)'] = await latency(probe, play, o);
    }
    if (sections.has('scan')) {
      for (const n of counts) {
        for (const t of targets) {
          process.stderr.write(`${t.server} ${t.proto} ×${n}…\n`);
          const row = await phase(t, n, { ...o, srcBytesPerSec, probe, memory: t.server === 'argus' ? () => memoryOf(argus.child, argusPid) : null });
          process.stderr.write(`  ${JSON.stringify(row)}\n`);
          rows.push(row);
        }
      }
    }
    if (sections.has('memory') && o.memoryRounds > 0) {
      const flv = targets.find((t) => t.proto === 'HTTP-FLV')!;
      // the baseline: now, with whatever the sections before left running (HLS segmenters stop 20 s after their last request)
      await sleep(25_000);
      const memRows: Row[] = [{ round: 'before', viewers: 0, peakRssMB: '', ...memoryRow(await memoryOf(argus.child, argusPid)) }];
      for (let r = 1; r <= o.memoryRounds; r++) {
        process.stderr.write(`memory round ${r}: ${o.memoryViewers} HTTP-FLV viewers…\n`);
        const viewers = await openViewers(flv, o.memoryViewers, o.concurrency);
        let peak = rssMB([argusPid]);
        for (let i = 0; i < 5; i++) {
          await sleep(1000);
          peak = Math.max(peak, rssMB([argusPid]));
        }
        for (const v of viewers) v.close();
        await sleep(5000);
        memRows.push({ round: r, viewers: viewers.filter((v) => v.playing).length, peakRssMB: round(peak, 0), ...memoryRow(await memoryOf(argus.child, argusPid)) });
      }
      await sleep(30_000);
      memRows.push({ round: '+30 s', viewers: 0, peakRssMB: '', ...memoryRow(await memoryOf(argus.child, argusPid)) });
      tables['media memory (Argus, 5 s after each round of HTTP-FLV viewers left)'] = memRows;
    }
    tables['media targets'] = targetRows(rows, tables['media latency (no other viewers)'] ?? []);

    Object.assign(meta, {
      viewers: counts, ...o, nginxWorkers,
      stream: {
        kbitPerSec: round((srcBytesPerSec * 8) / 1000, 0),
        video: 'H.264 main 1280x720 25 fps, -b:v 2M -maxrate 2M -bufsize 2M -g 50 (testsrc + noise)', audio: 'AAC 128k 44.1 kHz',
      },
      publisher: 'media-publisher-child: the 20 s file encoded once before the run, published in a loop at its own pace to both servers at once over RTMP, each video frame carrying an SEI send-time mark',
      note: [
        'One 2-core machine: the load viewers (this process) share the 2 cores with the server under test; loadgenCpu is this process\'s CPU % (of one core), hostCpu the whole machine (of 200 %). Probes run in their own process.',
        'Both servers and the publisher run during the whole run; only the server of a row has viewers.',
        'held = viewers that received ≥ 90 % of the bytes the publisher sent during the hold window; receiving = still connected and got bytes in the last 2 s.',
        'serverCpu = utime+stime of the server process (nginx: its worker processes) over the window, % of one core; serverSys its stime part. cpuMsPerViewerSec = (server CPU − its idle CPU with the publisher alone) ÷ viewers, in CPU-ms per viewer-second; viewersPerCore = its inverse. rssMB = peak VmRSS during the hold; rssAfterMB 3 s after the viewers left.',
        'ttff (time to first frame): RTMP from TCP connect, HTTP-FLV from the HTTP request, RTSP from TCP connect (OPTIONS, DESCRIBE, SETUP ×2, PLAY), to the last byte of the first video keyframe; HLS: play URL → multivariant → media playlist → the segment a player starts with (three from the end) loaded; LL-HLS: play URL → multivariant → media playlist → init segment and the newest independent part loaded. ttffColdMs: the first HLS/LL-HLS player of the stream (the segmenter starts then). Argus starts a new player at the GOP cache; nginx-rtmp (defaults) at the next keyframe (GOP 2 s).',
        'relay delay: publisher writes a video frame (SEI mark with CLOCK_MONOTONIC) → the probe viewer has the whole frame; Argus sends audio with the next video frame (≤ 45 ms later), so audio is not measured.',
        'LL-HLS live edge: a client doing blocking playlist reloads (_HLS_msn/_HLS_part) and loading each part as soon as it is listed. edgeFrameP50/P99 = publisher → frame in the client\'s hands; behindP50/P99 = sampled every 20 ms, how old the newest frame the client holds is; playerBehind = behind + PART-HOLD-BACK, where a player (hls.js in lowLatencyMode) keeps its playhead.',
      ],
    });
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    for (const p of procs.reverse()) await p.stop();
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  report('media', rows, meta, tables);
}

interface Target {
  server: string;
  proto: 'RTMP' | 'HTTP-FLV';
  /** Processes whose CPU and RSS are the server's. */
  pids: number[];
  open(): Viewer;
  probe: ProbeTarget;
  /** Fraction of one core the server uses with the publisher alone. */
  idleCpu?: number;
}

type ProbeRunner = (p: Probe) => Promise<ProbeResult>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startChild<T = object>(file: string, children: ChildProcess[], env: Record<string, string>, execArgv: string[] = []): Promise<{ child: ChildProcess; info: T }> {
  const child = fork(file, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  children.push(child);
  const info = await new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${file} exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m: T & { error?: string }) => {
      child.off('exit', onExit);
      if (m.error) reject(new Error(`${file}: ${m.error}`));
      else resolve(m);
    });
  });
  return { child, info };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

async function startProbe(file: string, children: ChildProcess[]): Promise<ProbeRunner> {
  const { child } = await startChild(file, children, {});
  let next = 1;
  const waiting = new Map<number, (r: ProbeResult) => void>();
  child.on('message', (m: { id?: number; result?: ProbeResult }) => {
    if (m.id && m.result) waiting.get(m.id)?.(m.result);
    if (m.id) waiting.delete(m.id);
  });
  return (probe) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.send({ id, probe });
    });
}

async function workersOf(nginx: Proc, workers: number): Promise<number[]> {
  for (let i = 0; i < 50; i++) {
    const w = childrenOf(nginx.child.pid!);
    if (w.length >= workers) return w;
    await sleep(100);
  }
  throw new Error(`nginx workers did not start: ${nginx.stderr()}`);
}

interface Memory {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  /** After a full collection: what the process really holds. */
  heapUsedAfterGcMB: number;
  externalAfterGcMB: number;
  rssAfterGcMB: number;
  /** Hub readers and libuv handles still open. */
  readers: number;
  handles: number;
}

/** The Argus child's memory: as it runs (RSS, JS heap, Buffers outside it), then after a full collection. */
function memoryOf(child: ChildProcess, pid: number): Promise<Memory> {
  return new Promise((resolve) => {
    const rss = rssMB([pid]);
    const on = (m: { memory?: NodeJS.MemoryUsage; afterGc?: NodeJS.MemoryUsage; readers?: number; handles?: number }) => {
      if (!m.memory || !m.afterGc) return;
      child.off('message', on);
      const mb = (b: number) => round(b / 2 ** 20, 1);
      resolve({
        rssMB: round(rss, 1), heapUsedMB: mb(m.memory.heapUsed), heapTotalMB: mb(m.memory.heapTotal), externalMB: mb(m.memory.external),
        heapUsedAfterGcMB: mb(m.afterGc.heapUsed), externalAfterGcMB: mb(m.afterGc.external), rssAfterGcMB: round(rssMB([pid]), 1),
        readers: m.readers ?? -1, handles: m.handles ?? -1,
      });
    };
    child.on('message', on);
    child.send({ memory: true });
  });
}

const memoryRow = (m: Memory): Row => ({ ...m });

/** CPU (fraction of one core) of each group of processes over `seconds`. */
async function measureIdle(groups: number[][], seconds: number): Promise<number[]> {
  const c0 = groups.map((g) => cpuSeconds(g).total);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const w = (performance.now() - t0) / 1000;
  return groups.map((g, i) => (cpuSeconds(g).total - c0[i]!) / w);
}

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

const p50 = (v: number[]) => round(percentile(v, 50), 1);
const p99 = (v: number[]) => round(percentile(v, 99), 1);

/** Time to first frame, relay delay and LL-HLS live edge, with no other viewers. */
async function latency(
  probe: ProbeRunner,
  play: { nginxRtmp: RtmpPlayTarget; argusRtmp: RtmpPlayTarget; flv: string; rtsp: string; hls: string; llhls: string },
  o: { probes: number; delaySeconds: number; delayViewers: number; edgeSeconds: number },
): Promise<Row[]> {
  const list: Array<{ server: string; proto: string; target: ProbeTarget; delay: boolean }> = [
    { server: 'nginx-rtmp', proto: 'RTMP', target: { proto: 'RTMP', rtmp: play.nginxRtmp }, delay: true },
    { server: 'argus', proto: 'RTMP', target: { proto: 'RTMP', rtmp: play.argusRtmp }, delay: true },
    { server: 'argus', proto: 'HTTP-FLV', target: { proto: 'FLV', url: play.flv }, delay: true },
    { server: 'argus', proto: 'RTSP', target: { proto: 'RTSP', url: play.rtsp }, delay: true },
    { server: 'argus', proto: 'HLS', target: { proto: 'HLS', url: play.hls }, delay: false },
    { server: 'argus', proto: 'LL-HLS', target: { proto: 'LL_HLS', url: play.llhls }, delay: false },
  ];
  const rows: Row[] = [];
  for (const l of list) {
    process.stderr.write(`latency: ${l.server} ${l.proto}…\n`);
    const segmented = l.proto === 'HLS' || l.proto === 'LL-HLS';
    const t = await probe({ kind: 'ttff', target: l.target, count: o.probes + (segmented ? 1 : 0), spacingMs: 300, timeoutMs: 15_000 });
    // HLS: the first player starts the stream's segmenter (and waits for its first segment)
    const cold = segmented ? t.samples.shift() : undefined;
    const row: Row = { server: l.server, proto: l.proto, ttffP50ms: p50(t.samples), ttffP99ms: p99(t.samples), ttffOk: `${t.samples.length}/${o.probes}` };
    if (cold !== undefined) row.ttffColdMs = round(cold, 0);
    if (l.delay) {
      const d = await probe({ kind: 'delay', target: l.target, viewers: o.delayViewers, seconds: o.delaySeconds });
      Object.assign(row, { delayP50ms: p50(d.samples), delayP99ms: p99(d.samples), delayMaxMs: round(Math.max(...d.samples), 1), delayFrames: d.samples.length });
      t.errors.push(...d.errors);
    }
    if (l.proto === 'LL-HLS') {
      const e = await probe({ kind: 'edge', url: l.target.proto === 'LL_HLS' ? l.target.url : '', seconds: o.edgeSeconds });
      // a player keeps PART-HOLD-BACK behind the newest part it knows of
      const player = (e.behindMs ?? []).map((b) => b + (e.partHoldBackSeconds ?? 0) * 1000);
      Object.assign(row, {
        edgeFrameP50ms: p50(e.samples), edgeFrameP99ms: p99(e.samples), behindP50ms: p50(e.behindMs ?? []), behindP99ms: p99(e.behindMs ?? []),
        partHoldBackS: e.partHoldBackSeconds ?? '', playerBehindP50ms: p50(player), playerBehindP99ms: p99(player),
      });
      t.errors.push(...e.errors);
    }
    if (t.errors.length) process.stderr.write(`  errors: ${[...new Set(t.errors)].slice(0, 5).join('; ')}\n`);
    process.stderr.write(`  ${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  return rows;
}

async function openViewers(t: Target, n: number, concurrency: number): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        next++;
        const v = t.open();
        viewers.push(v);
        await Promise.race([v.started.catch(() => undefined), sleep(15_000)]);
      }
    }),
  );
  return viewers;
}

async function phase(
  t: Target,
  n: number,
  o: {
    seconds: number; loadProbes: number; concurrency: number; srcBytesPerSec: number; probe: ProbeRunner;
    memory: (() => Promise<Memory>) | null;
  },
): Promise<Row> {
  const openStarted = performance.now();
  const viewers = await openViewers(t, n, o.concurrency);
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

  // fresh players and a few measuring viewers during the hold, from the probe process
  const probing = Promise.all([
    o.probe({ kind: 'ttff', target: t.probe, count: o.loadProbes, spacingMs: ((o.seconds - 2) * 1000) / Math.max(1, o.loadProbes), timeoutMs: 5000 }),
    o.probe({ kind: 'delay', target: t.probe, viewers: 2, seconds: Math.max(1, o.seconds - 3) }),
  ]);
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
  const [ttff, delay] = await probing;
  const errors = new Map<string, number>();
  for (const v of viewers) if (v.error) errors.set(v.error, (errors.get(v.error) ?? 0) + 1);
  if (errors.size) process.stderr.write(`  viewer errors: ${JSON.stringify(Object.fromEntries(errors))}\n`);

  for (const v of viewers) v.close();
  await sleep(3000);
  const rssAfter = rssMB(t.pids);
  const heapAfter = o.memory ? (await o.memory()).heapUsedAfterGcMB : '';
  const serverCpu = (cpu1.total - cpu0.total) / window;
  const perViewer = (serverCpu - (t.idleCpu ?? 0)) / Math.max(1, playing);
  return {
    server: t.server,
    proto: t.proto,
    viewers: n,
    playing,
    receiving,
    held,
    egressMbps: round((got * 8) / window / 1e6, 0),
    fpsAvg: round(frames / Math.max(1, playing) / window, 1),
    serverCpu: round(serverCpu * 100, 0),
    serverSys: round(((cpu1.sys - cpu0.sys) / window) * 100, 0),
    cpuMsPerViewerSec: round(perViewer * 1000, 3),
    viewersPerCore: perViewer > 0 ? round(1 / perViewer, 0) : '',
    hostCpu: round(((host1.busy - host0.busy) / (host1.total - host0.total)) * 100 * cpus().length, 0),
    loadgenCpu: round(((lg.user + lg.system) / 1e6 / window) * 100, 0),
    rssMB: round(rssPeak, 0),
    rssAfterMB: round(rssAfter, 0),
    heapAfterGcMB: heapAfter,
    ttffP50ms: p50(ttff.samples),
    ttffP99ms: p99(ttff.samples),
    probesOk: `${ttff.samples.length}/${o.loadProbes}`,
    delayP50ms: p50(delay.samples),
    delayP99ms: p99(delay.samples),
    openSec: round(openSeconds, 1),
  };
}

/** The targets against what this run measured. */
function targetRows(scan: Row[], latency: Row[]): Row[] {
  const out: Row[] = [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
  for (const n of [...new Set(scan.map((r) => r.viewers))]) {
    const nginx = scan.find((r) => r.viewers === n && r.server === 'nginx-rtmp');
    for (const proto of ['HTTP-FLV', 'RTMP']) {
      const a = scan.find((r) => r.viewers === n && r.server === 'argus' && r.proto === proto);
      if (!a || !nginx) continue;
      const av = num(a.viewersPerCore);
      const nv = num(nginx.viewersPerCore);
      out.push({ target: `${proto} viewers per core > nginx-rtmp's (×${n})`, argus: av, nginx: nv, met: av > nv && a.held === a.viewers ? 'yes' : 'no' });
    }
  }
  for (const r of latency) {
    if (r.server !== 'argus') continue;
    if (['RTMP', 'HTTP-FLV', 'RTSP'].includes(String(r.proto))) {
      out.push({ target: `${r.proto} time to first frame < 300 ms (p99)`, argus: r.ttffP99ms!, nginx: '', met: num(r.ttffP99ms) < 300 ? 'yes' : 'no' });
      out.push({ target: `${r.proto} relay delay p99 < 20 ms`, argus: r.delayP99ms!, nginx: '', met: num(r.delayP99ms) < 20 ? 'yes' : 'no' });
    }
    if (r.proto === 'LL-HLS') {
      out.push({ target: 'LL-HLS client < 1.5 s behind live (p99)', argus: r.behindP99ms!, nginx: '', met: num(r.behindP99ms) < 1500 ? 'yes' : 'no' });
      out.push({ target: 'LL-HLS player at PART-HOLD-BACK < 1.5 s behind live (p99)', argus: r.playerBehindP99ms!, nginx: '', met: num(r.playerBehindP99ms) < 1500 ? 'yes' : 'no' });
    }
  }
  return out;
}
