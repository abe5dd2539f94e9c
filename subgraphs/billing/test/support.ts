import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InProcessBus, createLogger, loadConfig, openOrm,
  type BusEvent, type CallerContext, type ChannelInfo,
} from '@argus/platform';
import type { MikroORM } from '@mikro-orm/core';
import { Billing } from '../src/billing.js';
import { billingMigrations } from '../src/migrations/index.js';
import { BILLING_ENTITIES } from '../src/entities/all.js';
import type { BillingConfig } from '../src/billing-config.js';
import type { ChannelLookup } from '../src/bindings.js';

export type Db = 'sqlite' | 'postgres';

/** Databases the billing integration tests run on (PostgreSQL is the machine's, on 127.0.0.1:5432). */
export const DBS: Db[] = (process.env.ARGUS_TEST_DBS ?? 'sqlite,postgres').split(',') as Db[];

const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

/** A movable clock. */
export class TestClock {
  constructor(public nowMs = Date.UTC(2025, 0, 15, 10, 0, 0)) {}
  now = (): Date => new Date(this.nowMs);
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Channels "devices" knows, per tenant. */
export class FakeChannels implements ChannelLookup {
  readonly channels = new Map<string, ChannelInfo>();
  add(tenantId: string, deviceId: string, ...ids: string[]): string[] {
    for (const id of ids) this.channels.set(id, { id, deviceId, tenantId });
    return ids;
  }
  async lookup(caller: CallerContext, channelId: string): Promise<ChannelInfo | null> {
    const c = this.channels.get(channelId) ?? null;
    if (!c) return null;
    return caller.tenantId && caller.tenantId !== c.tenantId ? null : c;
  }
}

export interface BillingHarness {
  db: Db;
  orm: MikroORM;
  bus: InProcessBus;
  clock: TestClock;
  channels: FakeChannels;
  billing: Billing;
  /** Every event billing published, in order. */
  published: BusEvent<any>[];
  /** Another Billing on its own connection pool to the same database (a second billing process; PostgreSQL only). */
  second(): Promise<Billing>;
  close(): Promise<void>;
}

export const tenantCaller = (tenantId: string): CallerContext => ({ tenantId, appId: `app_${tenantId}`, role: 'TENANT' });
export const ADMIN: CallerContext = { tenantId: null, appId: 'app_admin', role: 'ADMIN' };

export async function startBilling(db: Db, config: Partial<BillingConfig> = {}): Promise<BillingHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'argus-billing-test-'));
  let dbName: string | null = null;
  const env: Record<string, string> = { ARGUS_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  if (db === 'postgres') {
    dbName = `argus_billing_${randomBytes(5).toString('hex')}`;
    await psql(PG_ADMIN_URL, `create database ${dbName}`);
    env.DATABASE_URL = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
    env.ARGUS_MASTER_KEY = randomBytes(32).toString('base64');
  }
  const argusConfig = loadConfig(env);
  const logger = createLogger('billing-test', 'silent');
  const open = () => openOrm(argusConfig, { schema: 'billing', entities: BILLING_ENTITIES, migrations: billingMigrations });
  const orm = await open();
  const bus = new InProcessBus();
  const published: BusEvent<any>[] = [];
  await bus.subscribe('billing.>', (e) => void published.push(e));
  const clock = new TestClock();
  const channels = new FakeChannels();
  const fullConfig: BillingConfig = { defaultOpen: [], startingCreditMicros: 0, sweepSeconds: 3600, ...config };
  const billing = new Billing({ orm, bus, channels, config: fullConfig, logger, clock: clock.now });
  const extra: Array<{ orm: MikroORM }> = [];
  return {
    db, orm, bus, clock, channels, billing, published,
    async second() {
      // SQLite is the embedded default: one process, one connection; only PostgreSQL has a second billing process
      if (db === 'sqlite') return billing;
      const other = await open();
      extra.push({ orm: other });
      return new Billing({ orm: other, bus, channels, config: fullConfig, logger, clock: clock.now });
    },
    async close() {
      await billing.stop();
      await bus.close();
      for (const e of extra) await e.orm.close();
      await orm.close();
      rmSync(dir, { recursive: true, force: true });
      if (dbName) await psql(PG_ADMIN_URL, `drop database if exists ${dbName} with (force)`);
    },
  };
}
