import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_STATE_SUBJECT, ENTITLEMENT_CHANGED_SUBJECT, EntitlementChecker, InProcessBus, refusalOf,
  type Coverage, type EntitlementScope, type EntitlementSnapshot,
} from '../src/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

const pkg = (over: Partial<Coverage> = {}): Coverage => ({
  resourceId: 'res_pkg', mode: 'PACKAGE', source: 'BINDING', state: 'NORMAL', expiresAt: T0 + 24 * HOUR, storageDays: null, ...over,
});
const onDemand = (over: Partial<Coverage> = {}): Coverage => ({
  resourceId: 'res_od', mode: 'ON_DEMAND', source: 'DEFAULT', state: 'NORMAL', expiresAt: null, storageDays: null, ...over,
});

/** A billing stand-in: answers from a table and counts the questions. */
class Source {
  loads = 0;
  failing = false;
  gate: Promise<void> | null = null;
  table = new Map<string, EntitlementSnapshot>();
  set(tenantId: string, channelId: string, snapshot: Omit<EntitlementSnapshot, 'tenantId'>) {
    this.table.set(`${tenantId}/${channelId}`, { tenantId, ...snapshot });
  }
  load = async (tenantId: string, scope: EntitlementScope): Promise<EntitlementSnapshot> => {
    this.loads++;
    if (this.gate) await this.gate;
    if (this.failing) throw new Error('billing down');
    const key = `${tenantId}/${'channelId' in scope ? scope.channelId : `device:${scope.deviceId}`}`;
    return structuredClone(this.table.get(key) ?? { tenantId, account: { state: 'NORMAL' }, coverage: {} });
  };
}

describe('refusalOf', () => {
  const scope = { channelId: 'c1' };
  it('allows a package until its end, whatever the credit', () => {
    expect(refusalOf(scope, 'NORMAL', pkg(), 'MANAGE', T0)).toBeNull();
    expect(refusalOf(scope, 'ARREARS', pkg(), 'MANAGE', T0)).toBeNull();
    expect(refusalOf(scope, 'NORMAL', pkg(), 'MANAGE', T0 + 24 * HOUR)).toMatchObject({ code: 'ENTITLEMENT_MISSING', state: 'EXPIRED' });
    expect(refusalOf(scope, 'NORMAL', pkg({ state: 'EXPIRED' }), 'MANAGE', T0)).toMatchObject({ code: 'ENTITLEMENT_MISSING', state: 'EXPIRED' });
  });
  it('stops on-demand services in arrears, and everything when suspended', () => {
    expect(refusalOf(scope, 'NORMAL', onDemand(), 'DATAFLOW', T0)).toBeNull();
    expect(refusalOf(scope, 'ARREARS', onDemand(), 'DATAFLOW', T0)).toMatchObject({ code: 'ACCOUNT_IN_ARREARS', resourceId: 'res_od' });
    expect(refusalOf(scope, 'UNAVAILABLE', pkg(), 'MANAGE', T0)).toMatchObject({ code: 'ACCOUNT_SUSPENDED' });
    expect(refusalOf(scope, 'NORMAL', undefined, 'TALK', T0)).toMatchObject({ code: 'ENTITLEMENT_MISSING', state: 'MISSING', message: expect.stringContaining('channel c1 has no TALK') });
  });
});

describe('EntitlementChecker', () => {
  const setup = async () => {
    let now = T0;
    const source = new Source();
    const bus = new InProcessBus();
    const checker = new EntitlementChecker(source, { clock: () => now, ttlMs: 60_000 });
    await checker.watch(bus);
    return { source, bus, checker, advance: (ms: number) => (now += ms) };
  };

  it('answers from its cache once it has asked, and asks once for concurrent misses', async () => {
    const { source, checker } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: { MANAGE: pkg() } });
    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    const answers = Promise.all(Array.from({ length: 20 }, () => checker.check('t1', { channelId: 'c1' }, 'MANAGE')));
    release();
    expect(await answers).toEqual(Array(20).fill(null));
    expect(source.loads).toBe(1);
    source.gate = null;
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'MANAGE')).toBeNull();
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'TALK')).toMatchObject({ code: 'ENTITLEMENT_MISSING' });
    await expect(checker.require('t1', 'c1', ['MANAGE', 'TALK'])).rejects.toMatchObject({ code: 'ENTITLEMENT_MISSING', extensions: { resourceType: 'TALK', state: 'MISSING' } });
    expect(source.loads).toBe(1);
  });

  it('asks billing once for the misses of each tenant that arrive together, each answer for its own scope', async () => {
    const source = new Source();
    const batches: { tenantId: string; scopes: number }[] = [];
    const batching = {
      load: source.load,
      loadMany: async (tenantId: string, scopes: readonly EntitlementScope[]) => {
        batches.push({ tenantId, scopes: scopes.length });
        return Promise.all(scopes.map((s) => source.load(tenantId, s)));
      },
    };
    const checker = new EntitlementChecker(batching, { clock: () => T0 });
    for (let i = 0; i < 50; i++) source.set('t1', `c${i}`, { account: { state: 'NORMAL' }, coverage: i % 2 ? { MANAGE: pkg() } : {} });
    source.set('t2', 'c0', { account: { state: 'NORMAL' }, coverage: { MANAGE: onDemand() } });
    const answers = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => checker.check('t1', { channelId: `c${i}` }, 'MANAGE')),
      checker.check('t2', { channelId: 'c0' }, 'MANAGE'),
    ]);
    expect(batches).toEqual([{ tenantId: 't1', scopes: 50 }, { tenantId: 't2', scopes: 1 }]);
    answers.slice(0, 50).forEach((a, i) => (i % 2 ? expect(a).toBeNull() : expect(a).toMatchObject({ code: 'ENTITLEMENT_MISSING' })));
    expect(answers[50]).toBeNull();
    // cached now: no more questions
    expect(await checker.check('t1', { channelId: 'c1' }, 'MANAGE')).toBeNull();
    expect(batches).toHaveLength(2);
    // a failed batch fails each of its checks with UNAVAILABLE
    source.failing = true;
    const failed = await Promise.allSettled(['x1', 'x2'].map((c) => checker.check('t1', { channelId: c }, 'MANAGE')));
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
  });

  it('drops a channel on entitlement.changed and takes the account state from account.state', async () => {
    const { source, bus, checker } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: { DATAFLOW: onDemand() } });
    source.set('t1', 'c2', { account: { state: 'NORMAL' }, coverage: {} });
    expect(await checker.allows('t1', { channelId: 'c1' }, ['DATAFLOW'])).toBe(true);
    expect(await checker.allows('t1', { channelId: 'c2' }, ['DATAFLOW'])).toBe(false);
    // billing binds c2: the cache forgets c2 (only)
    source.set('t1', 'c2', { account: { state: 'NORMAL' }, coverage: { DATAFLOW: onDemand({ source: 'BINDING' }) } });
    await bus.publish(ENTITLEMENT_CHANGED_SUBJECT, { tenantId: 't1', channelIds: ['c2'], reason: 'bound' });
    await bus.drain();
    expect(checker.checkCached('t1', { channelId: 'c2' }, 'DATAFLOW')).toBeUndefined();
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'DATAFLOW')).toBeNull();
    expect(await checker.allows('t1', { channelId: 'c2' }, ['DATAFLOW'])).toBe(true);
    // credit runs out: every on-demand answer of the tenant changes without asking billing
    const loads = source.loads;
    await bus.publish(ACCOUNT_STATE_SUBJECT, { tenantId: 't1', state: 'ARREARS', credit: '-0.2', reason: 'usage charged' });
    await bus.drain();
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'DATAFLOW')).toMatchObject({ code: 'ACCOUNT_IN_ARREARS' });
    expect(checker.checkCached('t1', { channelId: 'c2' }, 'DATAFLOW')).toMatchObject({ code: 'ACCOUNT_IN_ARREARS' });
    await bus.publish(ACCOUNT_STATE_SUBJECT, { tenantId: 't1', state: 'NORMAL', credit: '0', reason: 'credit added' });
    await bus.drain();
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'DATAFLOW')).toBeNull();
    expect(source.loads).toBe(loads);
    // a whole-tenant change forgets every channel of the tenant, and no other tenant's
    source.set('t2', 'c9', { account: { state: 'NORMAL' }, coverage: { MANAGE: pkg() } });
    await checker.check('t2', { channelId: 'c9' }, 'MANAGE');
    await bus.publish(ENTITLEMENT_CHANGED_SUBJECT, { tenantId: 't1', channelIds: null, reason: 'defaults changed' });
    await bus.drain();
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'DATAFLOW')).toBeUndefined();
    expect(checker.checkCached('t2', { channelId: 'c9' }, 'MANAGE')).toBeNull();
  });

  it('does not cache an answer that a change overtook while it was being fetched', async () => {
    const { source, bus, checker } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: {} });
    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    const first = checker.check('t1', { channelId: 'c1' }, 'MANAGE');
    await bus.publish(ENTITLEMENT_CHANGED_SUBJECT, { tenantId: 't1', channelIds: ['c1'], reason: 'bound' });
    await bus.drain();
    release();
    expect(await first).toMatchObject({ code: 'ENTITLEMENT_MISSING' });
    source.gate = null;
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'MANAGE')).toBeUndefined();
  });

  it('refuses at the end of a package without being told, and reloads after the ttl', async () => {
    const { source, checker, advance } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: { MANAGE: pkg({ expiresAt: T0 + 30_000 }) } });
    expect(await checker.check('t1', { channelId: 'c1' }, 'MANAGE')).toBeNull();
    advance(30_000);
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'MANAGE')).toMatchObject({ state: 'EXPIRED' });
    advance(30_000);
    expect(checker.checkCached('t1', { channelId: 'c1' }, 'MANAGE')).toBeUndefined();
    await checker.check('t1', { channelId: 'c1' }, 'MANAGE');
    expect(source.loads).toBe(2);
  });

  it('answers from a stale entry when billing is down, and refuses with UNAVAILABLE when it has none', async () => {
    const { source, checker, advance } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: { MANAGE: pkg({ expiresAt: null }) } });
    await checker.check('t1', { channelId: 'c1' }, 'MANAGE');
    advance(120_000);
    source.failing = true;
    expect(await checker.check('t1', { channelId: 'c1' }, 'MANAGE')).toBeNull();
    expect(checker.stats.staleAnswers).toBe(1);
    await expect(checker.require('t1', 'c-unknown', 'MANAGE')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('tells recording how long to keep, or refuses', async () => {
    const { source, checker } = await setup();
    source.set('t1', 'c1', { account: { state: 'NORMAL' }, coverage: { RECORD: pkg({ storageDays: 30 }), MOTION: onDemand({ source: 'BINDING', storageDays: 7 }) } });
    expect(await checker.storageDays('t1', 'c1', 'RECORD')).toBe(30);
    expect(await checker.storageDays('t1', 'c1', 'MOTION')).toBe(7);
    await expect(checker.storageDays('t1', 'c1', 'DATAFLOW')).rejects.toMatchObject({ code: 'ENTITLEMENT_MISSING' });
  });

  it('keeps device answers apart from channel answers', async () => {
    const { source, bus, checker } = await setup();
    source.table.set('t1/device:dev1', { tenantId: 't1', account: { state: 'NORMAL' }, coverage: { MANAGE: pkg(), DATAFLOW: onDemand() } });
    expect(await checker.allows('t1', { deviceId: 'dev1' }, ['MANAGE', 'DATAFLOW'])).toBe(true);
    expect(await checker.allows('t1', { channelId: 'dev1' }, ['MANAGE'])).toBe(false);
    await bus.publish(ENTITLEMENT_CHANGED_SUBJECT, { tenantId: 't1', channelIds: ['c5'], reason: 'unbound' });
    await bus.drain();
    expect(checker.checkCached('t1', { deviceId: 'dev1' }, 'MANAGE')).toBeUndefined();
  });
});
