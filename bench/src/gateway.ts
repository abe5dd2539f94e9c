import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startArgus } from '@argus/harness';
import { InternalContextSigner, INTERNAL_CONTEXT_HEADER } from '@argus/platform';
import { hkdfSync } from 'node:crypto';
import {
  createArgusClient, requestAccessToken, CreateTenantDocument, CreateAppDocument, CreateDeviceDocument,
  RaiseAlarmDocument, AlarmRaisedDocument, AlarmRaisedSummaryDocument, ViewerDocument,
} from '@argus/client';
import { postLoad } from './load.js';
import { percentile, report, round, type Row } from './report.js';

/**
 * bench/gateway: what the gateway adds to a query, and how subscriptions fan out.
 * 1. The same query sent straight to its subgraph (with a valid internal context header) and
 *    through the gateway, in one run: p50/p90/p99 at concurrency 1 and throughput at concurrency 16.
 * 2. N graphql-ws clients subscribed to alarmRaised while alarms are raised at M/s: delivered
 *    events/s and delay from the raiseAlarm call to receipt (p50/p99).
 *   npm run bench -- gateway [--seconds 10] [--clients 1000] [--rate 20] [--mode embedded|scale]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '10' },
      clients: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '20' },
      mode: { type: 'string', default: 'embedded' },
    },
  });
  const seconds = Number(values.seconds);
  const clients = Number(values.clients);
  const rate = Number(values.rate);
  const argus = await startArgus({ mode: values.mode as 'embedded' | 'scale', env: { LOG_LEVEL: 'error' } });
  const rows: Row[] = [];
  try {
    const { accessToken: adminToken } = await requestAccessToken(argus.gatewayUrl, argus.adminAccessKey, argus.adminSecretKey);
    const admin = createArgusClient({ url: argus.gatewayUrl, token: adminToken });
    const { createTenant } = await admin.request(CreateTenantDocument, { name: `bench-${Date.now()}` });
    const { createApp } = await admin.request(CreateAppDocument, { tenantId: createTenant.id, name: 'bench' });
    const { accessToken } = await requestAccessToken(argus.gatewayUrl, createApp.accessKey, createApp.secretKey);
    const client = createArgusClient({ url: argus.gatewayUrl, token: accessToken });
    const { viewer } = await client.request(ViewerDocument);
    let channelId = '';
    for (let i = 0; i < 20; i++) {
      const { createDevice } = await client.request(CreateDeviceDocument, {
        input: { name: `bench cam ${i}`, protocol: 'RTSP', deviceCode: `BENCH${i}`, vendor: 'bench', channelCount: 1 },
      });
      channelId ||= createDevice.channels[0]!.id;
    }

    // 1. direct vs gateway
    const signer = new InternalContextSigner(Buffer.from(hkdfSync('sha256', argus.masterKey(), Buffer.alloc(0), 'argus:internal-context', 32)));
    const caller = { tenantId: createTenant.id, appId: viewer.appId ?? null, role: 'TENANT' as const };
    const queries = {
      viewer: { subgraph: 'identity' as const, query: '{ viewer { tenantId appId role } }' },
      'devices(first:20)': { subgraph: 'devices' as const, query: '{ devices(first: 20) { totalCount edges { node { id name status } } } }' },
    };
    for (const [label, q] of Object.entries(queries)) {
      const body = JSON.stringify({ query: q.query });
      for (const concurrency of [1, 16]) {
        const direct = await postLoad(argus.subgraphUrls[q.subgraph], () => ({ [INTERNAL_CONTEXT_HEADER]: signer.sign(caller) }), body, concurrency, seconds);
        const viaGateway = await postLoad(argus.gatewayUrl, () => ({ authorization: `Bearer ${accessToken}` }), body, concurrency, seconds);
        rows.push({ test: `query ${label}`, path: `direct → ${q.subgraph}`, concurrency, ...direct });
        rows.push({ test: `query ${label}`, path: 'through gateway', concurrency, ...viaGateway, addedP50ms: round(viaGateway.p50ms - direct.p50ms, 3) });
      }
    }

    // 2. subscription fan-out: alarm fields only, and with channel/device names from the devices subgraph
    const raise = (description: string) =>
      client.request(RaiseAlarmDocument, { input: { channelId, type: 'MANUAL', level: 'INFO', status: 'PULSE', description } });
    const now = () => performance.timeOrigin + performance.now();
    for (const [label, document] of [
      ['alarm fields', AlarmRaisedSummaryDocument],
      ['with channel/device names', AlarmRaisedDocument],
    ] as const) {
      const subscribers = Array.from({ length: Math.ceil(clients / 100) }, () => createArgusClient({ url: argus.gatewayUrl, token: accessToken }));
      const delays: number[] = [];
      let probes = 0;
      const iterators = Array.from({ length: clients }, (_, i) => subscribers[i % subscribers.length]!.subscribe(document as typeof AlarmRaisedSummaryDocument, {}));
      const consumers = iterators.map(async (it) => {
        for await (const v of it) {
          const d = v.alarmRaised.description;
          if (d.startsWith('probe')) probes++;
          else delays.push(now() - Number(d));
        }
      });
      // every subscription is live once a probe alarm reaches all clients
      const probeStart = performance.now();
      while (probes < clients && performance.now() - probeStart < 60_000) {
        probes = 0;
        await raise('probe');
        await new Promise((r) => setTimeout(r, 500));
      }
      const events = rate * seconds;
      const started = performance.now();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < events; i++) {
        const wait = started + (i * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sends.push(raise(String(now())));
      }
      await Promise.all(sends);
      const expected = events * clients;
      const deadline = performance.now() + 30_000;
      while (delays.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const elapsed = (performance.now() - started) / 1000;
      rows.push({
        test: `subscription fan-out, ${label}`,
        path: `${clients} graphql-ws clients, ${rate} alarms/s`,
        concurrency: clients,
        requests: events,
        errors: expected - delays.length,
        seconds: round(elapsed),
        rps: round(delays.length / elapsed, 0),
        p50ms: round(percentile(delays, 50), 3),
        p90ms: round(percentile(delays, 90), 3),
        p99ms: round(percentile(delays, 99), 3),
      });
      await Promise.all(iterators.map((it) => it.return?.()));
      await Promise.allSettled(consumers);
      await Promise.all(subscribers.map((s) => s.close()));
    }
    await client.close();
    await admin.close();
  } finally {
    await argus.stop();
  }
  report('gateway', rows, { seconds, clients, rate, mode: values.mode, note: 'fan-out rows: requests = alarms raised, rps = events delivered per second across all clients, errors = events not delivered within 30 s, p* = delay from raiseAlarm call to receipt' });
}
