import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgusError, EntitlementChecker, newId, type BusEvent } from '@argus/platform';
import { ResourcePackage } from '../src/entities/resource-package.js';
import { ChannelBinding } from '../src/entities/channel-binding.js';
import { BillingOrder } from '../src/entities/order.js';
import { Account } from '../src/entities/account.js';
import { PackageMode, PriceUnit, ResourceType, UsageMetric } from '../src/enums.js';
import { ADMIN, DBS, startBilling, tenantCaller, type BillingHarness } from './support.js';

const rid = () => newId('req');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ArgusError);
    return `${(e as ArgusError).code}${(e as ArgusError).extensions.field ? `:${(e as ArgusError).extensions.field}` : ''}`;
  }
  throw new Error('expected a refusal');
}

describe.each(DBS)('billing on %s', (db) => {
  let h: BillingHarness;
  beforeAll(async () => {
    h = await startBilling(db);
  });
  afterAll(async () => h?.close());

  const tenant = () => {
    const id = newId('ten');
    return { id, caller: tenantCaller(id) };
  };
  const snapshotOf = (tenantId: string, channelId: string) => h.billing.entitlements.snapshot(tenantId, { channelId });
  const counts = async (tenantId: string) => {
    const em = h.orm.em.fork();
    return {
      packages: await em.count(ResourcePackage, { tenantId, mode: PackageMode.PACKAGE }),
      bindings: await em.count(ChannelBinding, { tenantId }),
      orders: await em.count(BillingOrder, { tenantId }),
      credit: (await em.findOne(Account, { tenantId }))?.creditMicros ?? null,
    };
  };

  it('opens an account with one on-demand resource per type on first use', async () => {
    const t = tenant();
    const page = await h.billing.packages.list(t.caller, null, {});
    expect(page.totalCount).toBe(5);
    expect(page.edges.map((e) => e.node.mode)).toEqual(Array(5).fill(PackageMode.ON_DEMAND));
    expect(new Set(page.edges.map((e) => e.node.resourceType))).toEqual(new Set(Object.values(ResourceType)));
    // twice, concurrently: still one of each
    await Promise.all([h.billing.accounts.ensure(t.id), h.billing.accounts.ensure(t.id)]);
    expect((await h.billing.packages.list(t.caller, null, {})).totalCount).toBe(5);
    const account = await h.billing.admin.account(t.caller);
    expect(account).toMatchObject({ tenantId: t.id, state: 'NORMAL', creditMicros: 0 });
  });

  it('refuses bad input and changes nothing', async () => {
    const t = tenant();
    await h.billing.accounts.ensure(t.id);
    const before = await counts(t.id);
    const buy = (input: Record<string, unknown>) =>
      codeOf(h.billing.packages.purchase(t.caller, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, quota: 1, months: 1, ...input } as never));
    expect(await buy({ resourceType: 'BANDWIDTH' })).toBe('BAD_USER_INPUT:resourceType');
    expect(await buy({ quota: -3 })).toBe('BAD_USER_INPUT:quota');
    expect(await buy({ quota: 0 })).toBe('BAD_USER_INPUT:quota');
    expect(await buy({ months: -1 })).toBe('BAD_USER_INPUT:months');
    expect(await buy({ resourceType: ResourceType.RECORD, storageDays: 0 })).toBe('BAD_USER_INPUT:storageDays');
    expect(await buy({ resourceType: ResourceType.RECORD, storageDays: 366 })).toBe('BAD_USER_INPUT:storageDays');
    expect(await buy({ resourceType: ResourceType.RECORD })).toBe('BAD_USER_INPUT:storageDays');
    expect(await buy({ storageDays: 7 })).toBe('BAD_USER_INPUT:storageDays');
    expect(await buy({ clientRequestId: 'has spaces' })).toBe('BAD_USER_INPUT:clientRequestId');
    const [ch] = h.channels.add(t.id, 'dev1', newId('chn'));
    const od = (await h.billing.packages.list(t.caller, { resourceType: ResourceType.RECORD }, {})).edges[0]!.node;
    const bind = (input: Record<string, unknown>) => codeOf(h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: od.id, channelIds: [ch!], ...input } as never));
    expect(await bind({ storageDays: 400 })).toBe('BAD_USER_INPUT:storageDays');
    expect(await bind({ storageDays: -1 })).toBe('BAD_USER_INPUT:storageDays');
    expect(await bind({})).toBe('BAD_USER_INPUT:storageDays');
    expect(await bind({ channelIds: [] })).toBe('BAD_USER_INPUT:channelIds');
    expect(await bind({ channelIds: [ch, ch], storageDays: 7 })).toBe('BAD_USER_INPUT:channelIds');
    expect(await bind({ packageId: 'res_nope', storageDays: 7 })).toBe('NOT_FOUND:packageId');
    expect(await codeOf(h.billing.bindings.unbind(t.caller, { clientRequestId: rid(), resourceType: 'STORAGE' as never, channelIds: [ch!] }))).toBe('BAD_USER_INPUT:resourceType');
    expect(await codeOf(h.billing.admin.adjustCredit(ADMIN, { clientRequestId: rid(), tenantId: t.id, amount: '1.2345678' }))).toBe('BAD_USER_INPUT:amount');
    expect(await codeOf(h.billing.admin.adjustCredit(t.caller, { clientRequestId: rid(), tenantId: t.id, amount: '10' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.billing.admin.setPrice(ADMIN, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, mode: PackageMode.ON_DEMAND, unit: PriceUnit.ALARM, price: '1' }))).toBe('BAD_USER_INPUT:unit');
    expect(await codeOf(h.billing.admin.setPrice(ADMIN, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, mode: PackageMode.PACKAGE, unit: PriceUnit.CHANNEL_MONTH, price: '-1' }))).toBe('BAD_USER_INPUT:price');
    expect(await counts(t.id)).toEqual(before);
    expect(await h.billing.admin.prices()).toEqual([]);
  });

  it('binds in batches with a result per channel, never past the quota, one resource per type', async () => {
    const t = tenant();
    const other = tenant();
    const chs = h.channels.add(t.id, 'dev-a', newId('chn'), newId('chn'), newId('chn'));
    const [foreign] = h.channels.add(other.id, 'dev-b', newId('chn'));
    const pkg = await h.billing.packages.purchase(t.caller, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, quota: 2, months: 12 });
    expect(pkg).toMatchObject({ quotaTotal: 2, quotaUsed: 0, mode: 'PACKAGE' });
    const res = await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: pkg.id, channelIds: [...chs, foreign!] });
    expect(res.channels.map((c) => [c.ok, c.code])).toEqual([[true, 'OK'], [true, 'OK'], [false, 'QUOTA_EXCEEDED'], [false, 'NOT_FOUND']]);
    expect(res.failedCount).toBe(2);
    expect((await h.billing.packages.byId(t.caller, pkg.id))!.quotaUsed).toBe(2);
    // the same resource again: CONFLICT for that channel only
    const again = await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: pkg.id, channelIds: [chs[0]!] });
    expect(again.channels[0]).toMatchObject({ ok: false, code: 'CONFLICT' });
    // another MANAGE resource moves the channel, and its quota
    const od = (await h.billing.packages.list(t.caller, { resourceType: ResourceType.MANAGE, mode: PackageMode.ON_DEMAND }, {})).edges[0]!.node;
    const moved = await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: od.id, channelIds: [chs[0]!] });
    expect(moved.channels[0]).toMatchObject({ ok: true, binding: { resourceId: od.id, resourceType: 'MANAGE' } });
    expect((await h.billing.packages.byId(t.caller, pkg.id))!.quotaUsed).toBe(1);
    expect((await h.billing.packages.byId(t.caller, od.id))!.quotaUsed).toBe(1);
    const bindings = await h.billing.bindings.list(t.caller, { resourceType: ResourceType.MANAGE }, {});
    expect(bindings.totalCount).toBe(2);
    // unbind: the third channel has nothing, which is fine
    const un = await h.billing.bindings.unbind(t.caller, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, channelIds: chs });
    expect(un.channels.map((c) => [c.ok, !!c.binding])).toEqual([[true, true], [true, true], [true, false]]);
    expect((await h.billing.packages.byId(t.caller, pkg.id))!.quotaUsed).toBe(0);
    expect((await h.billing.packages.byId(t.caller, od.id))!.quotaUsed).toBe(0);
    // every change was announced for exactly the channels it touched
    const changed = h.published.filter((e) => e.subject === 'billing.entitlement.changed' && e.data.tenantId === t.id).map((e) => e.data.channelIds);
    expect(changed).toEqual([[chs[0], chs[1]], [chs[0]], [chs[0], chs[1]]]);
  });

  it('answers a retry with the same clientRequestId without doing it twice', async () => {
    const t = tenant();
    const [ch] = h.channels.add(t.id, 'dev', newId('chn'));
    const purchase = { clientRequestId: rid(), resourceType: ResourceType.TALK, quota: 3, months: 1 };
    const [a, b] = await Promise.all([h.billing.packages.purchase(t.caller, purchase), h.billing.packages.purchase(t.caller, purchase)]);
    expect(a.id).toBe(b.id);
    const c = await h.billing.packages.purchase(t.caller, purchase);
    expect(c.id).toBe(a.id);
    expect((await counts(t.id)).packages).toBe(1);
    expect(await codeOf(h.billing.packages.purchase(t.caller, { ...purchase, quota: 4 }))).toBe('CONFLICT:clientRequestId');
    const bindInput = { clientRequestId: rid(), packageId: a.id, channelIds: [ch!] };
    const first = await h.billing.bindings.bind(t.caller, bindInput);
    const retry = await h.billing.bindings.bind(t.caller, bindInput);
    expect(retry).toEqual(first);
    expect(retry.channels[0]!.ok).toBe(true);
    expect((await h.billing.packages.byId(t.caller, a.id))!.quotaUsed).toBe(1);
    const credit = { clientRequestId: rid(), tenantId: t.id, amount: '12.5', note: 'top-up' };
    await h.billing.admin.adjustCredit(ADMIN, credit);
    const after = await h.billing.admin.adjustCredit(ADMIN, credit);
    expect(after.creditMicros).toBe(12_500_000);
    expect((await h.billing.admin.orders(t.caller, { kind: 'CREDIT' as never }, {})).totalCount).toBe(1);
  });

  it('never oversells the last unit to binds racing from two billing processes', async () => {
    const t = tenant();
    const second = await h.second();
    for (let round = 0; round < 8; round++) {
      const pkg = await h.billing.packages.purchase(t.caller, { clientRequestId: rid(), resourceType: ResourceType.DATAFLOW, quota: 3, months: 1 });
      const chs = h.channels.add(t.id, `dev-${round}`, ...Array.from({ length: 8 }, () => newId('chn')));
      const results = await Promise.all(
        chs.map((ch, i) => (i % 2 ? second : h.billing).bindings.bind(t.caller, { clientRequestId: rid(), packageId: pkg.id, channelIds: [ch] })),
      );
      const won = results.filter((r) => r.channels[0]!.ok).length;
      expect(won).toBe(3);
      expect(results.filter((r) => !r.channels[0]!.ok).map((r) => r.channels[0]!.code)).toEqual(Array(5).fill('QUOTA_EXCEEDED'));
      const fresh = await h.orm.em.fork().findOneOrFail(ResourcePackage, { id: pkg.id });
      expect(fresh.quotaUsed).toBe(3);
      expect(await h.orm.em.fork().count(ChannelBinding, { resourceId: pkg.id })).toBe(3);
    }
  });

  it('expires packages at the end of their term and renews them (injectable clock)', async () => {
    const t = tenant();
    const [ch] = h.channels.add(t.id, 'dev', newId('chn'));
    const pkg = await h.billing.packages.purchase(t.caller, { clientRequestId: rid(), resourceType: ResourceType.MANAGE, quota: 1, months: 1 });
    await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: pkg.id, channelIds: [ch!] });
    const checker = new EntitlementChecker({ load: (tenantId, scope) => h.billing.entitlements.snapshot(tenantId, scope) }, { clock: () => h.clock.nowMs });
    await checker.watch(h.bus);
    expect(await checker.check(t.id, { channelId: ch! }, 'MANAGE')).toBeNull();
    h.clock.advance(40 * 86_400_000); // past the month
    // refused from the cache alone: the coverage carries its end
    expect(checker.checkCached(t.id, { channelId: ch! }, 'MANAGE')).toBeUndefined(); // the ttl is also over
    const refusal = await checker.check(t.id, { channelId: ch! }, 'MANAGE');
    expect(refusal).toMatchObject({ code: 'ENTITLEMENT_MISSING', state: 'EXPIRED', resourceId: pkg.id });
    expect(await h.billing.expiry.sweep()).toBeGreaterThanOrEqual(1);
    expect(h.published.some((e) => e.subject === 'billing.entitlement.changed' && e.data.tenantId === t.id && e.data.reason === 'package expired')).toBe(true);
    const listed = await h.billing.packages.list(t.caller, { state: 'EXPIRED' as never }, {});
    expect(listed.edges.map((e) => e.node.id)).toEqual([pkg.id]);
    // a new bind to it is refused
    const [ch2] = h.channels.add(t.id, 'dev', newId('chn'));
    const refused = await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: pkg.id, channelIds: [ch2!] });
    expect(refused.channels[0]).toMatchObject({ ok: false, code: 'ENTITLEMENT_MISSING' });
    const renewed = await h.billing.packages.renew(t.caller, { clientRequestId: rid(), packageId: pkg.id, months: 2 });
    expect(renewed.storedState).toBe('NORMAL');
    expect(renewed.expiresAt!.getTime()).toBeGreaterThan(h.clock.nowMs + 55 * 86_400_000);
    await h.bus.drain();
    expect(await checker.check(t.id, { channelId: ch! }, 'MANAGE')).toBeNull();
  });

  it('charges on-demand usage, goes into ARREARS when credit runs out and back when it is restored', async () => {
    const t = tenant();
    const [ch] = h.channels.add(t.id, 'dev', newId('chn'));
    await h.billing.admin.setPrice(ADMIN, { clientRequestId: rid(), resourceType: ResourceType.DATAFLOW, mode: PackageMode.ON_DEMAND, unit: PriceUnit.ALARM, price: '0.4' });
    await h.billing.admin.adjustCredit(ADMIN, { clientRequestId: rid(), tenantId: t.id, amount: '1' });
    const od = (await h.billing.packages.list(t.caller, { resourceType: ResourceType.DATAFLOW, mode: PackageMode.ON_DEMAND }, {})).edges[0]!.node;
    await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: od.id, channelIds: [ch!] });
    const checker = new EntitlementChecker({ load: (tenantId, scope) => h.billing.entitlements.snapshot(tenantId, scope) }, { clock: () => h.clock.nowMs });
    await checker.watch(h.bus);
    expect(await checker.check(t.id, { channelId: ch! }, 'DATAFLOW')).toBeNull();
    const alarm = (n: number, extra: Record<string, unknown> = {}): BusEvent<unknown> => ({
      id: newId('evt'), subject: 'alarm.raised', publishedAt: h.clock.nowMs, deliveryCount: 1,
      data: { tenantId: t.id, deviceId: 'dev', channelId: ch, type: 'MOTION', dedupeKey: `a-${n}`, ...extra },
    });
    await h.billing.metering.handle(alarm(1));
    await h.billing.metering.handle(alarm(2));
    await h.billing.metering.handle(alarm(2)); // a redelivery: metered once
    expect((await h.billing.admin.account(t.caller)).state).toBe('NORMAL');
    expect(checker.checkCached(t.id, { channelId: ch! }, 'DATAFLOW')).toBeNull();
    await h.billing.metering.handle(alarm(3, { attributes: { pictures: [{}, {}] } }));
    const account = await h.billing.admin.account(t.caller);
    expect(account).toMatchObject({ state: 'ARREARS', creditMicros: -200_000 });
    await h.bus.drain();
    // the checker heard it at once: no reload needed
    expect(checker.checkCached(t.id, { channelId: ch! }, 'DATAFLOW')).toMatchObject({ code: 'ACCOUNT_IN_ARREARS' });
    expect(h.published.filter((e) => e.subject === 'billing.account.state' && e.data.tenantId === t.id).map((e) => e.data.state)).toEqual(['ARREARS']);
    // binding more on demand is refused while in arrears; a package still works
    const [ch2] = h.channels.add(t.id, 'dev', newId('chn'));
    const refused = await h.billing.bindings.bind(t.caller, { clientRequestId: rid(), packageId: od.id, channelIds: [ch2!] });
    expect(refused.channels[0]).toMatchObject({ ok: false, code: 'ACCOUNT_IN_ARREARS' });
    await h.billing.admin.adjustCredit(ADMIN, { clientRequestId: rid(), tenantId: t.id, amount: '0.2' });
    await h.bus.drain();
    expect(checker.checkCached(t.id, { channelId: ch! }, 'DATAFLOW')).toBeNull();
    const totals = await h.billing.usage.totals(t.caller, {});
    expect(totals).toEqual([
      { metric: UsageMetric.ALARMS, protocol: '', quantityBase: 3, events: 3, chargedMicros: 1_200_000 },
      { metric: UsageMetric.PICTURES, protocol: '', quantityBase: 2, events: 1, chargedMicros: 0 },
    ]);
    const orders = await h.billing.admin.orders(t.caller, null, {});
    expect(orders.edges.map((e) => [e.node.kind, e.node.amountMicros, e.node.creditAfterMicros])).toEqual([
      ['CREDIT', 200_000, 0],
      ['CREDIT', 1_000_000, 1_000_000],
    ]);
  });

  it('meters viewers, publishers and talk per protocol and day, and nothing of unknown channels', async () => {
    const t = tenant();
    const [ch] = h.channels.add(t.id, 'dev', newId('chn'));
    const ev = (subject: string, data: Record<string, unknown>): BusEvent<unknown> => ({ id: newId('evt'), subject, data, publishedAt: h.clock.nowMs, deliveryCount: 1 });
    const left = ev('player.left', { channelId: ch, tenantId: null, protocol: 'FLV', bytesOut: 1_500_000, durationMs: 12_000 });
    await h.billing.metering.handle(left);
    await h.billing.metering.handle({ ...left, deliveryCount: 2 });
    await h.billing.metering.handle(ev('player.left', { channelId: ch, protocol: 'FLV', bytesOut: 500_000, durationMs: 3_000 }));
    await h.billing.metering.handle(ev('player.left', { channelId: ch, protocol: 'RTSP', bytesOut: 100 }));
    await h.billing.metering.handle(ev('player.left', { channelId: ch, protocol: 'SNAPSHOT', bytesOut: 9999 }));
    await h.billing.metering.handle(ev('stream.closed', { channelId: ch, stats: { uptimeSeconds: 61, publisher: { protocol: 'RTMP' } } }));
    await h.billing.metering.handle(ev('talk.ended', { tenantId: t.id, channelId: ch, sessionId: 's1', durationMs: 90_000 }));
    await h.billing.metering.handle(ev('player.left', { channelId: 'chn_unknown', protocol: 'FLV', bytesOut: 1 }));
    // a burst (an outbox batch, a JetStream pull) is metered together; redeliveries in it count once
    const burst = Array.from({ length: 50 }, (_, i) => ev('alarm.raised', { tenantId: t.id, deviceId: 'dev', channelId: ch, type: 'MOTION', dedupeKey: `burst-${i}` }));
    const settled = await Promise.all([...burst, ...burst.slice(0, 10)].map((e) => h.billing.metering.handle(e).then(() => 'ok', (err) => String(err))));
    expect(settled.every((x) => x === 'ok')).toBe(true);
    expect((await h.billing.usage.totals(t.caller, { metric: UsageMetric.ALARMS })).map((x) => [x.quantityBase, x.events])).toEqual([[50, 50]]);
    const totals = await h.billing.usage.totals(t.caller, {});
    expect(totals.map((x) => [x.metric, x.protocol, x.quantityBase, x.events])).toEqual([
      ['ALARMS', '', 50, 50],
      ['EGRESS_BYTES', 'FLV', 2_000_000, 2],
      ['EGRESS_BYTES', 'RTSP', 100, 1],
      ['PUBLISH_SECONDS', 'RTMP', 61_000, 1],
      ['TALK_SECONDS', '', 90_000, 1],
      ['VIEW_SECONDS', 'FLV', 15_000, 2],
    ]);
    const today = new Date(h.clock.nowMs).toISOString().slice(0, 10);
    const page = await h.billing.usage.list(t.caller, { metric: UsageMetric.EGRESS_BYTES, from: today, to: today }, { first: 1 });
    expect(page.totalCount).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await h.billing.usage.list(t.caller, { metric: UsageMetric.EGRESS_BYTES }, { first: 1, after: page.pageInfo.endCursor });
    expect(next.edges).toHaveLength(1);
    expect(next.edges[0]!.node.id).not.toBe(page.edges[0]!.node.id);
    expect(await codeOf(h.billing.usage.list(t.caller, { from: '2025-13-01' }, {}))).toBe('BAD_USER_INPUT:from');
  });
});
