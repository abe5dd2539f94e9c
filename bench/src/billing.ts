import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ENTITLEMENT_CHANGED_SUBJECT, EntitlementChecker, InProcessBus, createLogger, loadConfig, newId, openOrm,
  type CallerContext, type ChannelInfo, type EntitlementScope, type EntitlementSnapshot, type ResourceTypeName,
} from '@argus/platform';
import { BILLING_ENTITIES, Billing, billingMigrations, type BillingConfig } from '@argus/subgraph-billing';
import { cpuSeconds } from './proc.js';
import { percentile, report, round, type Row } from './report.js';

/**
 * bench/billing (issue 7):
 * 1. the entitlement check on the hot path: EntitlementChecker.require() with every answer cached,
 *    over many tenants and channels — checks/s on one core and the latency of each call
 *    (target: p99 under 50 µs); then the same with billing announcing changes at a steady rate,
 *    so some checks miss and ask billing (here: a real Billing on SQLite, in process);
 * 2. binds on PostgreSQL with contention: workers spread over several Billing instances (each its
 *    own connection pool, as separate billing processes would be) bind channels one at a time to
 *    ONE package, all racing for its row — binds/s, latency, CPU of this process per bind, and a
 *    check that the package was never oversold.
 *   npm run bench -- billing [--tenants 100] [--channels 1000] [--checks 2000000] [--changes-per-second 200]
 *     [--bind-ops 2000] [--bind-workers 16] [--bind-processes 2] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *     [--skip-binds]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: 'string', default: '100' },
      channels: { type: 'string', default: '1000' },
      checks: { type: 'string', default: '2000000' },
      'changes-per-second': { type: 'string', default: '200' },
      'bind-ops': { type: 'string', default: '2000' },
      'bind-workers': { type: 'string', default: '16' },
      'bind-processes': { type: 'string', default: '2' },
      pg: { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      'skip-binds': { type: 'boolean', default: false },
    },
  });
  const o = {
    tenants: Number(values.tenants),
    channels: Number(values.channels),
    checks: Number(values.checks),
    changesPerSecond: Number(values['changes-per-second']),
    bindOps: Number(values['bind-ops']),
    bindWorkers: Number(values['bind-workers']),
    bindProcesses: Number(values['bind-processes']),
    pg: values.pg,
  };
  const rows: Row[] = [];
  rows.push(...(await hotPath(o)));
  rows.push(...(await hotPathWithChanges(o)));
  if (!values['skip-binds']) rows.push(...(await contendedBinds(o)));
  report('billing', rows, { options: o });
}

const TYPES: ResourceTypeName[] = ['MANAGE', 'DATAFLOW'];

/** Synthetic snapshots: every channel has MANAGE through a package and DATAFLOW on demand. */
function syntheticSource() {
  let loads = 0;
  const farFuture = Date.now() + 365 * 86_400_000;
  return {
    get loads() {
      return loads;
    },
    load: async (tenantId: string, _scope: EntitlementScope): Promise<EntitlementSnapshot> => {
      loads++;
      return {
        tenantId,
        account: { state: 'NORMAL' },
        coverage: {
          MANAGE: { resourceId: 'res_pkg', mode: 'PACKAGE', source: 'BINDING', state: 'NORMAL', expiresAt: farFuture, storageDays: null },
          DATAFLOW: { resourceId: 'res_od', mode: 'ON_DEMAND', source: 'DEFAULT', state: 'NORMAL', expiresAt: null, storageDays: null },
        },
      };
    },
  };
}

function keys(o: { tenants: number; channels: number }) {
  const tenants = Array.from({ length: o.tenants }, (_, i) => `ten_bench${i}`);
  const perTenant = Math.max(1, Math.floor(o.channels / o.tenants));
  const pairs: Array<[string, string]> = [];
  for (const t of tenants) for (let c = 0; c < perTenant; c++) pairs.push([t, `chn_${t}_${c}`]);
  return pairs;
}

/**
 * Times `n` awaited calls one by one; returns checks/s and latency percentiles in µs. With
 * `yieldEvery`, the loop lets timers and I/O run between calls (bus events, billing's answers),
 * as a server's event loop would; that time counts in checks/s, not in any call's latency.
 */
async function timeCalls(n: number, call: (i: number) => Promise<unknown> | unknown, yieldEvery = 0) {
  const lat = new Float64Array(n);
  const cpu0 = cpuSeconds([process.pid]).total;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (yieldEvery && i % yieldEvery === 0) await new Promise((r) => setImmediate(r));
    const s = process.hrtime.bigint();
    await call(i);
    lat[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds([process.pid]).total - cpu0;
  const sorted = lat.sort();
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  return {
    perSecond: Math.round(n / seconds),
    p50: at(50),
    p99: at(99),
    p999: at(99.9),
    max: sorted[sorted.length - 1]!,
    cpuUsPerCall: (cpu / n) * 1e6,
  };
}

async function hotPath(o: { tenants: number; channels: number; checks: number }): Promise<Row[]> {
  const source = syntheticSource();
  const checker = new EntitlementChecker(source, { ttlMs: 3_600_000 });
  const pairs = keys(o);
  for (const [t, c] of pairs) await checker.require(t, c, TYPES);
  const loadsBefore = source.loads;
  // warm the JIT, then measure
  for (let i = 0; i < 200_000; i++) await checker.require(pairs[i % pairs.length]![0], pairs[i % pairs.length]![1], 'MANAGE');
  const rows: Row[] = [];
  const single = await timeCalls(o.checks, (i) => {
    const [t, c] = pairs[(i * 7919) % pairs.length]!;
    return checker.require(t, c, 'MANAGE');
  });
  rows.push(row('require(MANAGE), cached', pairs.length, single, source.loads - loadsBefore));
  const both = await timeCalls(o.checks, (i) => {
    const [t, c] = pairs[(i * 7919) % pairs.length]!;
    return checker.allows(t, { channelId: c }, TYPES);
  });
  rows.push(row('allows(MANAGE+DATAFLOW), cached (alarm filter)', pairs.length, both, source.loads - loadsBefore));
  const sync = await timeCalls(o.checks, (i) => {
    const [t, c] = pairs[(i * 7919) % pairs.length]!;
    return checker.checkCached(t, { channelId: c }, 'MANAGE');
  });
  rows.push(row('checkCached(MANAGE), sync', pairs.length, sync, source.loads - loadsBefore));
  return rows;
}

const row = (phase: string, keysCached: number, r: Awaited<ReturnType<typeof timeCalls>>, misses: number): Row => ({
  phase,
  keys: keysCached,
  'checks/s': r.perSecond,
  'p50 µs': round(r.p50, 2),
  'p99 µs': round(r.p99, 2),
  'p99.9 µs': round(r.p999, 2),
  'max µs': round(r.max, 1),
  'cpu µs/check': round(r.cpuUsPerCall, 3),
  misses,
});

/**
 * The hot path while billing changes things: a real Billing on SQLite answers misses in process,
 * and a steady stream of entitlement.changed events (one channel each) drops cached answers.
 */
async function hotPathWithChanges(o: { tenants: number; channels: number; checks: number; changesPerSecond: number }): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'argus-bench-billing-'));
  const bus = new InProcessBus();
  const logger = createLogger('bench-billing', 'silent');
  const orm = await openOrm(loadConfig({ ARGUS_DATA_DIR: dir, LOG_LEVEL: 'silent' }), { schema: 'billing', entities: BILLING_ENTITIES, migrations: billingMigrations });
  const config: BillingConfig = { defaultOpen: ['MANAGE', 'DATAFLOW', 'TALK'], startingCreditMicros: 0, sweepSeconds: 3600 };
  const billing = new Billing({ orm, bus, channels: { lookup: async () => null }, config, logger });
  const pairs = keys({ tenants: Math.min(o.tenants, 20), channels: Math.min(o.channels, 2000) });
  for (const t of new Set(pairs.map((p) => p[0]))) await billing.accounts.ensure(t);
  let misses = 0;
  const checker = new EntitlementChecker(
    { load: (t, scope) => (misses++, billing.entitlements.snapshot(t, scope)) },
    { ttlMs: 3_600_000 },
  );
  await checker.watch(bus);
  for (const [t, c] of pairs) await checker.require(t, c, 'MANAGE');
  misses = 0;
  let changes = 0;
  const timer = setInterval(() => {
    const per = Math.max(1, Math.round(o.changesPerSecond / 100));
    for (let k = 0; k < per; k++) {
      const [t, c] = pairs[Math.floor(Math.random() * pairs.length)]!;
      changes++;
      void bus.publish(ENTITLEMENT_CHANGED_SUBJECT, { tenantId: t, channelIds: [c], reason: 'bench' });
    }
  }, 10);
  const n = Math.min(o.checks, 500_000);
  let r;
  try {
    r = await timeCalls(n, (i) => {
      const [t, c] = pairs[(i * 7919) % pairs.length]!;
      return checker.require(t, c, 'MANAGE');
    }, 100);
  } finally {
    clearInterval(timer);
    await bus.close();
    await orm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return [{ ...row(`require(MANAGE), ${o.changesPerSecond} changes/s, misses asked of billing (SQLite)`, pairs.length, r, misses), changes }];
}

async function psql(url: string, sql: string): Promise<void> {
  const { default: pg } = (await import('pg' as string)) as { default: { Client: new (o: object) => any } };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Binds racing for one package row on PostgreSQL. */
async function contendedBinds(o: { bindOps: number; bindWorkers: number; bindProcesses: number; pg: string }): Promise<Row[]> {
  const dbName = `argus_bench_billing_${randomBytes(4).toString('hex')}`;
  await psql(o.pg, `create database ${dbName}`);
  const dir = mkdtempSync(join(tmpdir(), 'argus-bench-billing-'));
  const argusConfig = loadConfig({
    ARGUS_DATA_DIR: dir, LOG_LEVEL: 'silent',
    DATABASE_URL: o.pg.replace(/\/[^/]*$/, `/${dbName}`), ARGUS_MASTER_KEY: randomBytes(32).toString('base64'),
  });
  const logger = createLogger('bench-billing', 'silent');
  const bus = new InProcessBus();
  const tenantId = newId('ten');
  const caller: CallerContext = { tenantId, appId: 'app_bench', role: 'TENANT' };
  const channels = new Map<string, ChannelInfo>();
  const lookup = { lookup: async (_c: CallerContext, id: string) => channels.get(id) ?? null };
  const config: BillingConfig = { defaultOpen: [], startingCreditMicros: 0, sweepSeconds: 3600 };
  const orms = [];
  const rows: Row[] = [];
  try {
    const instances: Billing[] = [];
    for (let p = 0; p < o.bindProcesses; p++) {
      const orm = await openOrm(argusConfig, { schema: 'billing', entities: BILLING_ENTITIES, migrations: billingMigrations });
      orms.push(orm);
      instances.push(new Billing({ orm, bus, channels: lookup, config, logger }));
    }
    const main = instances[0]!;
    for (const phase of [
      { name: 'binds with quota left', quota: o.bindOps },
      { name: 'binds to a full package (refused)', quota: Math.max(1, Math.floor(o.bindOps / 10)) },
    ]) {
      const pkg = await main.packages.purchase(caller, { clientRequestId: newId('req'), resourceType: 'MANAGE' as never, quota: phase.quota, months: 12 });
      const ids = Array.from({ length: o.bindOps }, () => newId('chn'));
      for (const id of ids) channels.set(id, { id, deviceId: 'dev_bench', tenantId, name: id, device: { id: 'dev_bench', tenantId, name: 'bench device' } });
      const lat: number[] = [];
      const outcomes = new Map<string, number>();
      let next = 0;
      const cpu0 = cpuSeconds([process.pid]).total;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: o.bindWorkers }, async (_, w) => {
          const billing = instances[w % instances.length]!;
          while (next < ids.length) {
            const id = ids[next++]!;
            const s = process.hrtime.bigint();
            const r = await billing.bindings.bind(caller, { clientRequestId: newId('req'), packageId: pkg.id, channelIds: [id] });
            lat.push(Number(process.hrtime.bigint() - s) / 1e6);
            const code = r.channels[0]!.code;
            outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = cpuSeconds([process.pid]).total - cpu0;
      const fresh = await main.packages.byId(caller, pkg.id);
      const bound = outcomes.get('OK') ?? 0;
      if (fresh!.quotaUsed !== bound || bound > phase.quota) throw new Error(`oversold: ${bound} binds succeeded, quotaUsed ${fresh!.quotaUsed}, quota ${phase.quota}`);
      rows.push({
        phase: `PostgreSQL: ${phase.name}, ${o.bindWorkers} workers over ${o.bindProcesses} pools, one package row`,
        'binds/s': Math.round(ids.length / seconds),
        'p50 ms': round(percentile(lat, 50), 2),
        'p99 ms': round(percentile(lat, 99), 2),
        ok: bound,
        refused: ids.length - bound,
        quota: phase.quota,
        'quotaUsed after': fresh!.quotaUsed,
        'cpu ms/bind (this process)': round((cpu / ids.length) * 1000, 3),
      });
    }
  } finally {
    for (const orm of orms) await orm.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
    await psql(o.pg, `drop database if exists ${dbName} with (force)`);
  }
  return rows;
}
