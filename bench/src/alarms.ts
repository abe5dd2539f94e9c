import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort, startArgus, type RunningArgus } from '@argus/harness';
import { AlarmRaisedDocument, AlarmRaisedSummaryDocument, createArgusClient } from '@argus/client';
import { BenchCamera, benchJpegBase64, type CameraReply, type CameraStats } from './alarms-camera.js';
import { createBenchTenant, createPushDevices, onlineCount, waitSubscriptionLive } from './alarms-provision.js';
import { printProfile, startInspectorProfile, summarizeProfile, type ProfileSummary } from './alarms-profile.js';
import { argusPid, CLK_TCK as clockTicks, cpuSeconds, hostCpu as hostJiffies, rssMB } from './proc.js';

const processCpuSeconds = (pid: number) => cpuSeconds([pid]).total;
const processRssMB = (pid: number) => rssMB([pid]);
import { percentile, report, round, type Row } from './report.js';

/**
 * bench/alarms (issue 5): simulated HTTP push cameras against embedded Argus.
 *   N devices (HTTP_PUSH, 1 channel) are created through the typed client; N cameras — one
 *   keep-alive connection each, digest challenged once and the nonce reused — keep alive on a
 *   compressed clock (HTTP_PUSH_KEEPALIVE_SECONDS) and raise alarm_report at a set total rate, with
 *   and without a JPEG picture. A graphql-ws client subscribed to alarmRaised through the gateway
 *   measures POST → delivery. Rows: accepted alarms/s (HTTP 200 success envelopes), delivery
 *   p50/p99, devices ONLINE at the end, Argus RSS and CPU, errors.
 *   npm run bench -- alarms [--devices 1000,10000] [--rate 1000] [--seconds 20] [--pictures off,on]
 *     [--picture-kb 50] [--keepalive 10] [--max-inflight 5000] [--document summary,full]
 *     [--cpu-prof] [--argus-env K=V …]
 *   --cpu-prof records a V8 profile of the Argus process per phase over its inspector (--inspect on a
 *   local port) and prints self time by package, by innermost Argus file and by function.
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '1000,10000' },
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      pictures: { type: 'string', default: 'off,on' },
      'picture-kb': { type: 'string', default: '50' },
      keepalive: { type: 'string', default: '10' },
      'max-inflight': { type: 'string', default: '5000' },
      document: { type: 'string', default: 'summary,full' },
      'cpu-prof': { type: 'boolean', default: false },
      'argus-env': { type: 'string', multiple: true, default: [] },
    },
  });
  const o = {
    deviceCounts: values.devices.split(',').map(Number),
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    pictures: values.pictures.split(',').map((p) => p.trim() === 'on'),
    pictureKB: Number(values['picture-kb']),
    keepaliveSeconds: Number(values.keepalive),
    maxInflight: Number(values['max-inflight']),
    documents: values.document.split(',').map((d) => (d.trim() === 'summary' ? ('summary' as const) : ('full' as const))),
    cpuProf: values['cpu-prof'],
    argusEnv: Object.fromEntries(values['argus-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
  const rows: Row[] = [];
  const profiles: Record<string, ProfileSummary> = {};
  for (const n of o.deviceCounts) {
    const result = await runDeviceCount(n, o);
    rows.push(...result.rows);
    Object.assign(profiles, result.profiles);
  }
  report('alarms', rows, {
    ...o,
    profiles: o.cpuProf ? profiles : undefined,
    note:
      'One embedded Argus per device count. offered = rate × seconds; shed = not sent because max-inflight alarms were awaiting replies; ' +
      'accepted = HTTP 200 with errorcode 0; acceptedPerSec = accepted / (first send → last reply); delivered = received on the alarmRaised ' +
      'subscription (graphql-ws through the gateway; "with names" = AlarmRaisedDocument, channel and device names resolved from the devices ' +
      'subgraph per event; "alarm fields" = AlarmRaisedSummaryDocument) until 20 s pass without one; phaseSeconds = first send → last delivery or give-up; ' +
      'p50/p99 = POST start → delivery (ms); postP99 = POST round trip; online = devices(filter:{status:ONLINE}).totalCount after the run; ' +
      'rss = VmRSS of the Argus process (peak during the phase); argusCpu/benchCpu/otherCpu = % of one core over the phase (other = the rest of the machine).',
  });
}

interface Options {
  rate: number;
  seconds: number;
  pictures: boolean[];
  pictureKB: number;
  keepaliveSeconds: number;
  maxInflight: number;
  documents: Array<'full' | 'summary'>;
  cpuProf: boolean;
  /** Extra environment of the Argus process (--argus-env K=V, repeatable), e.g. HTTP_PUSH_DEVICE_CACHE_SECONDS=3600. */
  argusEnv: Record<string, string>;
}

async function runDeviceCount(n: number, o: Options): Promise<{ rows: Row[]; profiles: Record<string, ProfileSummary> }> {
  const inspectPort = o.cpuProf ? await freePort() : null;
  const env: Record<string, string> = { LOG_LEVEL: 'error', HTTP_PUSH_KEEPALIVE_SECONDS: String(o.keepaliveSeconds), ...o.argusEnv };
  if (inspectPort) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${inspectPort}`.trim();
  process.stderr.write(`\n== ${n} devices: starting Argus\n`);
  let argus: RunningArgus | undefined;
  for (let attempt = 1; !argus; attempt++) {
    // free ports are picked, then bound by the child: another process may take one in between
    argus = await startArgus({ env }).catch((err: Error) => {
      if (attempt >= 3 || !/EADDRINUSE/.test(err.message)) throw err;
      process.stderr.write('  a port was taken meanwhile (EADDRINUSE); starting Argus again\n');
      return undefined;
    });
  }
  const pid = argusPid();
  const rows: Row[] = [];
  const profiles: Record<string, ProfileSummary> = {};
  const stats: CameraStats = { challenges: 0, retries: 0, connections: 0 };
  const cameras: BenchCamera[] = [];
  const tenant = await createBenchTenant(argus, `bench-alarms-${n}-${Date.now()}`);
  const sub = createArgusClient({ url: argus.gatewayUrl, token: tenant.token });
  try {
    const created = await createPushDevices(tenant.client, n, `BA${Date.now().toString(36).toUpperCase()}`);
    process.stderr.write(`  ${n} devices created in ${round(created.seconds, 1)} s (${round(n / created.seconds, 0)}/s, ${created.errors} retried)\n`);
    const port = argus.ports.HTTP_PUSH_PORT!;
    for (const d of created.devices) cameras.push(new BenchCamera('127.0.0.1', port, d.code, d.password, stats));

    // bring every camera online: first keepalive (challenged once), 200 at a time
    const rampStart = performance.now();
    let rampErrors = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(200, n) }, async () => {
        while (next < n) {
          const cam = cameras[next++]!;
          const r = await cam.keepalive().catch(() => null);
          if (!r || r.status !== 200 || r.errorcode !== 0) rampErrors++;
        }
      }),
    );
    const rampSeconds = (performance.now() - rampStart) / 1000;
    // then keep alive every keepinterval, spread evenly over the interval
    const keepalive = { sent: 0, failed: 0, ms: [] as number[] };
    const onKeepalive = (r: CameraReply | Error) => {
      keepalive.sent++;
      if (r instanceof Error || r.status !== 200 || r.errorcode !== 0) keepalive.failed++;
      else keepalive.ms.push(r.ms);
    };
    const intervalMs = o.keepaliveSeconds * 1000;
    cameras.forEach((c, i) => c.startKeepalive((i / n) * intervalMs, intervalMs, onKeepalive));
    const onlineDeadline = Date.now() + 60_000;
    let online = 0;
    while ((online = await onlineCount(tenant.client)) < n && Date.now() < onlineDeadline) await new Promise((r) => setTimeout(r, 500));
    process.stderr.write(`  ${online}/${n} devices ONLINE (first keepalives in ${round(rampSeconds, 1)} s, ${rampErrors} failed, ${stats.challenges} challenges)\n`);

    for (const pictures of o.pictures) {
      for (const doc of o.documents) {
        const label = `${n} devices, ${pictures ? `${o.pictureKB} KB pictures` : 'no pictures'}, ${doc === 'full' ? 'with names' : 'alarm fields'}`;
        process.stderr.write(`  -- ${label}: ${o.rate} alarms/s for ${o.seconds} s\n`);
        await new Promise((r) => setTimeout(r, 5000)); // let the previous phase settle
        // the subscriber: alarmRaised through the gateway, one subscription per phase
        const document = doc === 'full' ? AlarmRaisedDocument : AlarmRaisedSummaryDocument;
        const probes = new Set<string>();
        const current: { phase: Phase | null; open: boolean } = { phase: null, open: true };
        const iterator = sub.subscribe(document as typeof AlarmRaisedSummaryDocument, {});
        const consumer = (async () => {
          for await (const v of iterator) {
            const d = v.alarmRaised.description;
            if (d.startsWith('probe')) probes.add(d);
            else current.phase?.delivered(d);
          }
          if (current.open) process.stderr.write('  the gateway completed the alarmRaised subscription\n');
        })().catch((err) => {
          if (current.open) process.stderr.write(`  subscription ended: ${String(err)}\n`);
        });
        await waitSubscriptionLive(tenant.client, created.devices[0]!.channelId, (d) => probes.has(d));
        const picture = pictures ? benchJpegBase64(o.pictureKB * 1024) : '';
        const ka0 = { sent: keepalive.sent, failed: keepalive.failed, count: keepalive.ms.length };
        const profiler = inspectPort ? await startInspectorProfile(inspectPort) : null;
        const phase = (current.phase = new Phase(`${rows.length}`, o.rate * o.seconds));
        const result = await phase.run({ cameras, rate: o.rate, seconds: o.seconds, maxInflight: o.maxInflight, picture, pid });
        if (profiler) {
          profiles[label] = summarizeProfile(await profiler.stop());
          printProfile(label, profiles[label]!);
        }
        const kaMs = keepalive.ms.slice(ka0.count);
        const onlineAfter = await onlineCount(tenant.client);
        rows.push({
          test: label,
          devices: n,
          online: onlineAfter,
          ...result,
          keepalivesPerSec: round((keepalive.sent - ka0.sent) / Number(result.phaseSeconds), 0),
          keepaliveFailed: keepalive.failed - ka0.failed,
          keepaliveP99ms: round(percentile(kaMs, 99), 1),
        });
        process.stderr.write(`     ${JSON.stringify(rows.at(-1))}\n`);
        current.phase = null;
        current.open = false;
        await iterator.return?.();
        await consumer;
      }
    }
    for (const c of cameras) c.stopKeepalive();
    rows.forEach((r) => {
      r.challenges = stats.challenges;
      r.connections = stats.connections;
      r.socketRetries = stats.retries;
      r.createDevicesPerSec = round(n / created.seconds, 0);
    });
  } finally {
    for (const c of cameras) c.close();
    await sub.close().catch(() => undefined);
    await tenant.close().catch(() => undefined);
    await argus.stop();
  }
  return { rows, profiles };
}

interface PhaseInput {
  cameras: BenchCamera[];
  rate: number;
  seconds: number;
  maxInflight: number;
  picture: string;
  pid: number;
}

/** One measured phase: alarms at `rate`/s for `seconds`, replies and deliveries matched by sequence. */
class Phase {
  private readonly sentAt: Float64Array;
  private readonly seen: Uint8Array;
  private readonly delays: number[] = [];
  private readonly postMs: number[] = [];
  private duplicates = 0;
  private readonly runId = `${Date.now().toString(36)}`;
  private lastDelivery = 0;

  constructor(
    private readonly id: string,
    private readonly total: number,
  ) {
    this.sentAt = new Float64Array(total).fill(NaN);
    this.seen = new Uint8Array(total);
  }

  private tag(seq: number) {
    return `bench:${this.id}:${seq}`;
  }

  delivered(description: string): void {
    const now = performance.now();
    const m = /^bench:(\d+):(\d+)$/.exec(description);
    if (!m || m[1] !== this.id) return;
    const seq = Number(m[2]);
    if (seq >= this.total || Number.isNaN(this.sentAt[seq]!)) return;
    if (this.seen[seq]) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    this.delays.push(now - this.sentAt[seq]!);
    this.lastDelivery = now;
  }

  async run(i: PhaseInput): Promise<Row> {
    let inflight = 0;
    let shed = 0;
    let accepted = 0;
    let refused = 0;
    let errors = 0;
    let lastReply = 0;
    const refusals = new Map<string, number>();
    const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    let rssPeak = processRssMB(i.pid);
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, processRssMB(i.pid))), 500);
    const cpu0 = processCpuSeconds(i.pid);
    const host0 = hostJiffies();
    const bench0 = process.cpuUsage();
    const started = performance.now();
    const n = i.cameras.length;
    let seq = 0;
    const fire = (s: number) => {
      if (inflight >= i.maxInflight) {
        shed++;
        return;
      }
      inflight++;
      this.sentAt[s] = performance.now();
      i.cameras[s % n]!.alarm(`${this.runId}/${this.tag(s)}`, this.tag(s), i.picture).then(
        (r) => {
          inflight--;
          lastReply = performance.now();
          this.postMs.push(r.ms);
          if (r.status === 200 && r.errorcode === 0) accepted++;
          else {
            refused++;
            count(refusals, `${r.status}/${r.errorcode}`);
          }
        },
        (err: NodeJS.ErrnoException) => {
          inflight--;
          errors++;
          count(refusals, err.code ?? err.message);
        },
      );
    };
    while (seq < this.total) {
      const due = Math.min(this.total, Math.floor(((performance.now() - started) * i.rate) / 1000) + 1);
      while (seq < due) fire(seq++);
      await new Promise((r) => setTimeout(r, 2));
    }
    const sendSeconds = (performance.now() - started) / 1000;
    const replyDeadline = performance.now() + 120_000;
    while (inflight > 0 && performance.now() < replyDeadline) await new Promise((r) => setTimeout(r, 20));
    // deliveries: wait until every accepted alarm arrived, or 20 s without progress
    let lastCount = -1;
    let stallSince = performance.now();
    while (this.delays.length < accepted && performance.now() - stallSince < 20_000) {
      if (this.delays.length !== lastCount) {
        lastCount = this.delays.length;
        stallSince = performance.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ended = performance.now();
    clearInterval(rssTimer);
    const phaseSeconds = (ended - started) / 1000;
    const cpu = processCpuSeconds(i.pid) - cpu0;
    const bench = process.cpuUsage(bench0);
    const host1 = hostJiffies();
    const hostBusyCores = (host1.busy - host0.busy) / clockTicks / phaseSeconds;
    const replyWindow = ((lastReply || ended) - started) / 1000;
    const deliveryWindow = ((this.lastDelivery || ended) - started) / 1000;
    return {
      offered: this.total,
      shed,
      sendSeconds: round(sendSeconds, 1),
      phaseSeconds: round(phaseSeconds, 1),
      accepted,
      acceptedPerSec: round(accepted / replyWindow, 0),
      refused,
      errors,
      refusals: [...refusals].map(([k, v]) => `${k}×${v}`).join(' ') || '-',
      delivered: this.delays.length,
      deliveredPerSec: round(this.delays.length / deliveryWindow, 0),
      lost: accepted - this.delays.length,
      duplicates: this.duplicates,
      p50ms: round(percentile(this.delays, 50), 1),
      p90ms: round(percentile(this.delays, 90), 1),
      p99ms: round(percentile(this.delays, 99), 1),
      maxMs: round(this.delays.reduce((a, b) => Math.max(a, b), 0), 1),
      postP50ms: round(percentile(this.postMs, 50), 1),
      postP99ms: round(percentile(this.postMs, 99), 1),
      rssMB: round(rssPeak, 0),
      argusCpuPct: round((cpu / phaseSeconds) * 100, 0),
      benchCpuPct: round(((bench.user + bench.system) / 1e6 / phaseSeconds) * 100, 0),
      // what the rest of the machine (other processes) used meanwhile, % of one core
      otherCpuPct: round(Math.max(0, hostBusyCores * 100 - (cpu / phaseSeconds) * 100 - ((bench.user + bench.system) / 1e6 / phaseSeconds) * 100), 0),
    };
  }
}
