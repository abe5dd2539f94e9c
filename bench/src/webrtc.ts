import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, PlayTokenCodec, publishKeyFor } from '@argus/platform';
import { childrenOf, cpuSeconds, encodeSource, freePort, hostCpu, publish, rssMB, type Proc } from './media-proc.js';
import { percentile, report, round, type Row } from './report.js';
import type { ViewerReport } from './webrtc-viewer-child.js';

/**
 * bench/webrtc: WHEP viewers of one 2 Mbit/s H.264 + AAC stream (AAC → Opus for WebRTC).
 * - The media server (RTMP + WebRTC modules) runs alone in a child process; ffmpeg publishes the
 *   pre-encoded test pattern over RTMP (-re, stream copy, looped).
 * - Viewers are werift peer connections, spread over `--clients` child processes; for each N they
 *   are held `--seconds`: viewers connected, viewers held without loss (< 1 % packets lost, ≥ 90 %
 *   of the source's video bytes), egress, server CPU (node, and the Opus ffmpeg separately) and RSS.
 *   CPU per viewer is the slope between the smallest and the largest round whose viewers were nearly
 *   all held (≥ 95 %), over the viewers that connected (fixed costs such as the publisher and the Opus
 *   encoder cancel out); `slopeRounds` in the JSON names the rounds used.
 * - Relay delay: one more viewer watches a probe stream whose frames carry the time they entered
 *   the hub (hub → WebRTC → viewer on the same host), during each hold.
 * - Time to first decoded frame in headless Chromium (Debian's, via playwright-core): `--ttff`
 *   fresh pages, one after the other, each timed from its WHEP POST to its first presented frame.
 * - `--profile`: the server runs with --cpu-prof; the table lists where its CPU time went.
 *   npm run bench -- webrtc [--viewers 50,100,200,400] [--seconds 15] [--clients 2] [--spacing-ms 50] [--ttff 20] [--profile]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string', default: '50,100,200,400' },
      seconds: { type: 'string', default: '15' },
      clients: { type: 'string', default: '2' },
      ttff: { type: 'string', default: '20' },
      'spacing-ms': { type: 'string', default: '50' },
      profile: { type: 'boolean', default: false },
    },
  });
  const counts = values.viewers.split(',').map(Number).filter((n) => n > 0);
  const seconds = Number(values.seconds);
  const clients = Math.max(1, Number(values.clients));
  const ttffPages = Number(values.ttff);
  const spacingMs = Number(values['spacing-ms']);

  const idle0 = hostCpu();
  await sleep(3000);
  const idle1 = hostCpu();
  const backgroundHostCpu = round(((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * 100 * cpus().length, 0);
  if (backgroundHostCpu > 15) process.stderr.write(`warning: the machine is already ${backgroundHostCpu} % busy (of ${cpus().length * 100} %) before the benchmark starts\n`);

  const dir = await mkdtemp(join(tmpdir(), 'bench-webrtc-'));
  const procs: Proc[] = [];
  let server: ChildProcess | null = null;
  let viewerProcs: ChildProcess[] = [];
  const rows: Row[] = [];
  const meta: Record<string, unknown> = { backgroundHostCpu, seconds, clients };
  const onSignal = () => {
    for (const p of procs) p.child.kill('SIGKILL');
    for (const v of viewerProcs) v.kill('SIGKILL');
    server?.kill('SIGKILL');
    void rm(dir, { recursive: true, force: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const here = dirname(fileURLToPath(import.meta.url));
  try {
    const src = join(dir, 'source.flv');
    const srcSeconds = 20;
    process.stderr.write('encoding the test pattern…\n');
    await encodeSource(src, srcSeconds, procs);
    const srcBytesPerSec = (await stat(src)).size / srcSeconds;
    // the source's video alone (its AAC is 128 kbit/s; viewers get 48 kbit/s Opus instead)
    const videoBytesPerSec = srcBytesPerSec - 16_000;

    const masterKey = randomBytes(32).toString('base64');
    const config = loadConfig({ ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus') });
    const [httpPort, rtmpPort] = [await freePort(), await freePort()];
    const profileDir = join(dir, 'profile');
    server = fork(join(here, 'webrtc-server-child.js'), [], {
      execArgv: values.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
      env: {
        ...process.env, ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: join(dir, 'argus'), LOG_LEVEL: 'error',
        BENCH_HTTP_PORT: String(httpPort), BENCH_RTMP_PORT: String(rtmpPort),
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('message', () => resolve());
      server!.once('exit', (c) => reject(new Error(`media server child exited (${c})`)));
    });
    const serverPid = server.pid!;
    const path = 'live/bench/primary';
    procs.push(publish(src, `rtmp://127.0.0.1:${rtmpPort}/${path}?key=${publishKeyFor(config.deriveKey('publish-keys'), path)}`));
    await sleep(3000);
    const token = (channelId: string) => PlayTokenCodec.fromConfig(config).sign({
      grantId: `bench-${channelId}`, tenantId: 't', channelId, stream: 'primary', protocol: 'WEBRTC', exp: Math.floor(Date.now() / 1000) + 86_400, maxUses: 0,
    });
    const benchUrl = `http://127.0.0.1:${httpPort}/${path}/whep?token=${token('bench')}`;
    const probeUrl = `http://127.0.0.1:${httpPort}/live/probe/primary/whep?token=${token('probe')}`;

    const serverCpu = () => {
      const kids = childrenOf(serverPid);
      return { node: cpuSeconds([serverPid]).total, ffmpeg: kids.length ? cpuSeconds(kids).total : 0, rss: rssMB([serverPid]) };
    };
    const perN: Array<{ asked: number; n: number; held: number; cpu: number }> = [];
    for (const n of counts) {
      process.stderr.write(`${n} viewers: connecting…\n`);
      viewerProcs = Array.from({ length: clients }, () => fork(join(here, 'webrtc-viewer-child.js'), [], { env: { ...process.env } }));
      const ask = <T>(p: ChildProcess, msg: object, key: string) => new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (key in m) {
            p.off('message', on);
            resolve(m[key] as T);
          }
        };
        p.on('message', on);
        p.send(msg);
      });
      const t0 = Date.now();
      await Promise.all(viewerProcs.map((p, i) => {
        const mine = Math.floor(n / clients) + (i < n % clients ? 1 : 0);
        const urls = Array.from({ length: mine }, () => benchUrl);
        if (i === 0) urls.push(probeUrl);
        return ask(p, { open: { urls, spacingMs: spacingMs * clients } }, 'opened');
      }));
      const connectSeconds = (Date.now() - t0) / 1000;
      await sleep(2000);
      await Promise.all(viewerProcs.map((p) => ask(p, { report: true }, 'report')));
      const c0 = serverCpu();
      const v0 = cpuSeconds(viewerProcs.map((p) => p.pid!)).total;
      const h0 = hostCpu();
      await sleep(seconds * 1000);
      const reports = (await Promise.all(viewerProcs.map((p) => ask<ViewerReport[]>(p, { report: true }, 'report')))).flat();
      const c1 = serverCpu();
      const v1 = cpuSeconds(viewerProcs.map((p) => p.pid!)).total;
      const h1 = hostCpu();
      const viewers = reports.filter((r) => !r.delays);
      const probe = reports.find((r) => r.delays);
      const connected = viewers.filter((r) => r.ok);
      const held = connected.filter((r) => r.lost <= r.packets * 0.01 && r.bytes >= videoBytesPerSec * seconds * 0.9);
      const egress = viewers.reduce((s, r) => s + r.bytes, 0);
      const cpuNode = ((c1.node - c0.node) / seconds) * 100;
      const cpuFfmpeg = ((c1.ffmpeg - c0.ffmpeg) / seconds) * 100;
      perN.push({ asked: n, n: connected.length, held: held.length, cpu: cpuNode });
      const delays = probe?.delays ?? [];
      rows.push({
        viewers: n,
        connected: connected.length,
        'held w/o loss': held.length,
        'connect s': round(connectSeconds, 1),
        'egress Mbit/s': round((egress * 8) / seconds / 1e6, 1),
        'lost %': round((viewers.reduce((s, r) => s + r.lost, 0) / Math.max(1, viewers.reduce((s, r) => s + r.packets + r.lost, 0))) * 100, 2),
        'server CPU %': round(cpuNode, 0),
        'opus ffmpeg CPU %': round(cpuFfmpeg, 1),
        'server RSS MB': round(c1.rss, 0),
        'viewer procs CPU %': round(((v1 - v0) / seconds) * 100, 0),
        'host CPU %': round(((h1.busy - h0.busy) / (h1.total - h0.total)) * 100 * cpus().length, 0),
        'relay p50 ms': delays.length ? round(percentile(delays, 50), 1) : '-',
        'relay p99 ms': delays.length ? round(percentile(delays, 99), 1) : '-',
        'first packet p50 ms': round(percentile(connected.map((r) => r.firstPacketMs ?? 0), 50), 0),
      });
      process.stderr.write(`${n} viewers: ${JSON.stringify(rows[rows.length - 1])}\n`);
      await Promise.all(viewerProcs.map((p) => ask(p, { close: true }, 'closed')));
      for (const p of viewerProcs) p.kill('SIGTERM');
      viewerProcs = [];
      await sleep(3000);
    }
    // the slope over the rounds whose viewers were (nearly) all held: a round the host could not
    // carry (viewers that never connected, or lost packets) says nothing about the cost per viewer
    const carried = perN.filter((r) => r.held >= r.asked * 0.95);
    meta.slopeRounds = carried.map((r) => r.asked);
    if (carried.length >= 2) {
      const a = carried[0]!;
      const b = carried[carried.length - 1]!;
      const perViewer = (b.cpu - a.cpu) / (b.n - a.n);
      meta.cpuPercentPerViewer = round(perViewer, 3);
      meta.viewersPerCore = perViewer > 0 ? Math.round(100 / perViewer) : null;
    }

    if (ttffPages > 0) {
      process.stderr.write(`time to first frame in Chromium (${ttffPages} pages)…\n`);
      const ttff = await chromiumTtff(`http://127.0.0.1:${httpPort}`, benchUrl, ttffPages);
      meta.ttffMs = { p50: round(percentile(ttff.times, 50), 0), p99: round(percentile(ttff.times, 99), 0), samples: ttff.times.length, failures: ttff.failures };
    }
    server.kill('SIGTERM');
    await new Promise<void>((r) => server!.once('exit', () => r()));
    server = null;
    if (values.profile) meta.profile = await summarizeProfile(profileDir);
  } finally {
    for (const p of procs) await p.stop();
    for (const v of viewerProcs) v.kill('SIGKILL');
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
  report('webrtc', rows, meta);
  const m = meta as { cpuPercentPerViewer?: number; viewersPerCore?: number; ttffMs?: unknown; profile?: { byModule: string[]; byFunction: string[] } };
  process.stdout.write(`CPU per viewer: ${m.cpuPercentPerViewer ?? '-'} % of a core (${m.viewersPerCore ?? '-'} viewers per core); Chromium time to first frame: ${JSON.stringify(m.ttffMs ?? null)}\n`);
  if (m.profile) process.stdout.write(`server CPU by module:\n  ${m.profile.byModule.join('\n  ')}\nby function:\n  ${m.profile.byFunction.join('\n  ')}\n`);
}

/** Fresh Chromium pages, one at a time: WHEP POST → first presented video frame. */
async function chromiumTtff(origin: string, whepUrl: string, pages: number): Promise<{ times: number[]; failures: string[] }> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
  const times: number[] = [];
  const failures: string[] = [];
  try {
    for (let i = 0; i < pages; i++) {
      const page = await context.newPage();
      await page.goto(`${origin}/healthz`);
      const r = (await page.evaluate(`(${TTFF_JS})(${JSON.stringify(whepUrl)})`)) as { ms?: number; error?: string };
      if (r.ms !== undefined) times.push(r.ms);
      else failures.push(r.error ?? '?');
      await page.close();
    }
  } finally {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  }
  return { times, failures };
}

/** Runs in the page: WHEP play, resolves with ms from the POST to the first presented frame. */
const TTFF_JS = `async (url) => {
  const t0 = performance.now();
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true;
  document.body.appendChild(video);
  const ms = new MediaStream();
  const first = new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(performance.now() - t0)));
  pc.ontrack = (e) => { ms.addTrack(e.track); video.srcObject = ms; video.play().catch(() => {}); };
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (res.status !== 201) return { error: 'HTTP ' + res.status };
  const location = res.headers.get('location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  const t = await Promise.race([first, new Promise((r) => setTimeout(() => r(-1), 10000))]);
  await fetch(new URL(location, url), { method: 'DELETE' });
  pc.close();
  return t < 0 ? { error: 'no frame in 10 s' } : { ms: t };
}`;

/** Self time by function and by module, from the server's .cpuprofile. */
async function summarizeProfile(dir: string): Promise<Record<string, unknown>> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return { error: 'no profile written' };
  const prof = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
    startTime: number; endTime: number;
  };
  // shares of the time the server was busy (idle samples left out)
  const total = prof.nodes.reduce((s, n) => s + (n.callFrame.functionName === '(idle)' ? 0 : n.hitCount ?? 0), 0);
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const n of prof.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || n.callFrame.functionName === '(idle)') continue;
    const url = n.callFrame.url;
    const file = url ? basename(url) : '(native)';
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + hits);
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:lib\/)?([^/]+)?/.exec(url);
    const mod = m ? `${m[1]}${m[1] === 'werift' && m[2] ? `/${m[2]}` : ''}` : url.startsWith('node:') ? url : url.includes('/media/') ? '@argus/media' : url.includes('/protocols/') ? '@argus/protocols' : n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : 'other';
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, hits]) => `${round((hits / total) * 100, 1)} % ${name}`);
  return { byModule: top(byModule, 12), byFunction: top(byFn, 20) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
