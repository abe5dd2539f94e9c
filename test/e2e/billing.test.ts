import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@argus/harness';
import {
  ArgusClientError,
  CreateDeviceDocument, DeleteDeviceDocument, PurchasePackageDocument, RenewPackageDocument, BindChannelsDocument, UnbindChannelsDocument,
  ResourcePackagesDocument, ResourcePackageChannelsDocument, ChannelBindingsDocument, ChannelEntitlementsDocument, ServiceQuotasDocument,
  BillingAccountDocument, BillingOrdersDocument, AdjustCreditDocument, UpdateBillingAccountDocument, SetPriceDocument, PricesDocument,
  type ArgusClient, type PurchasePackageInput,
} from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';

const rid = () => randomUUID();

async function errorOf(p: Promise<unknown>): Promise<ArgusClientError> {
  const e = await p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ArgusClientError);
  return e as ArgusClientError;
}

async function camera(client: ArgusClient, name: string, channelCount = 1) {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name, protocol: 'ISAPI', deviceCode: `bill-${randomUUID().slice(0, 8)}`, channelCount },
  });
  return createDevice;
}

/**
 * Resources, bindings, orders and the admin's levers, through the gateway: what an integrator and
 * the operator do, and what they can check afterwards.
 */
describe.each(MODES)('billing through the API (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => f?.close());

  const buy = (t: TenantFixture, input: Omit<PurchasePackageInput, 'clientRequestId'>, clientRequestId = rid()) =>
    t.client.request(PurchasePackageDocument, { input: { clientRequestId, ...input } }).then((r) => r.purchasePackage);
  const bind = (t: TenantFixture, packageId: string, channelIds: string[], storageDays?: number) =>
    t.client.request(BindChannelsDocument, { input: { clientRequestId: rid(), packageId, channelIds, storageDays } }).then((r) => r.bindChannels);
  const packages = async (t: TenantFixture) => (await t.client.request(ResourcePackagesDocument, { first: 100 })).resourcePackages;

  it('gives a new tenant one on-demand resource per type, and lists its packages with Relay pages', async () => {
    const t = await f.tenant('resources');
    const first = await packages(t);
    expect(first.totalCount).toBe(5);
    expect(first.edges.map((e) => e.node).every((p) => p.mode === 'ON_DEMAND' && p.quotaTotal === null && p.state === 'NORMAL')).toBe(true);
    const pkg = await buy(t, { resourceType: 'RECORD', quota: 4, months: 12, storageDays: 30 });
    expect(pkg).toMatchObject({ resourceType: 'RECORD', mode: 'PACKAGE', quotaTotal: 4, quotaUsed: 0, storageDays: 30, state: 'NORMAL' });
    expect(Date.parse(pkg.expiresAt!) - Date.parse(pkg.startsAt)).toBeGreaterThan(364 * 86_400_000);
    const page1 = (await t.client.request(ResourcePackagesDocument, { first: 4 })).resourcePackages;
    expect(page1.edges.map((e) => e.node.id)[0]).toBe(pkg.id); // newest first
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.client.request(ResourcePackagesDocument, { first: 4, after: page1.pageInfo.endCursor })).resourcePackages;
    expect(page2.edges).toHaveLength(2);
    expect(new Set([...page1.edges, ...page2.edges].map((e) => e.node.id)).size).toBe(6);
    const { resourcePackages: record } = await t.client.request(ResourcePackagesDocument, { filter: { resourceType: 'RECORD', mode: 'PACKAGE' } });
    expect(record.edges.map((e) => e.node.id)).toEqual([pkg.id]);
    const { serviceQuotas } = await t.client.request(ServiceQuotasDocument);
    expect(serviceQuotas.find((q) => q.resourceType === 'RECORD')).toEqual({
      resourceType: 'RECORD', packageTotal: 4, packageUsed: 0, packageAvailable: 4, onDemandBound: 0, openByDefault: false,
    });
    expect(serviceQuotas.find((q) => q.resourceType === 'MANAGE')?.openByDefault).toBe(true);
  });

  it('binds and unbinds in batches with a result per channel; at most one resource of a type per channel', async () => {
    const t = await f.tenant('batch', { defaultOpen: [] });
    const cam = await camera(t.client, 'Batch NVR', 3);
    const [c1, c2, c3] = cam.channels.map((c) => c.id);
    const pkg = await buy(t, { resourceType: 'MANAGE', quota: 2, months: 1 });
    const result = await bind(t, pkg.id, [c1!, c2!, c3!, 'chn_unknown']);
    expect(result.failedCount).toBe(2);
    expect(result.channels.map((c) => [c.channelId, c.ok, c.code])).toEqual([
      [c1, true, 'OK'], [c2, true, 'OK'], [c3, false, 'QUOTA_EXCEEDED'], ['chn_unknown', false, 'NOT_FOUND'],
    ]);
    expect(result.channels[0]!.binding).toMatchObject({ channelId: c1, deviceId: cam.id, resourceType: 'MANAGE', package: { id: pkg.id, quotaUsed: 2, quotaTotal: 2 } });
    // the package's channels, and the channel's entitlements
    const { resourcePackage } = await t.client.request(ResourcePackageChannelsDocument, { id: pkg.id });
    expect(resourcePackage!.quotaUsed).toBe(2);
    expect(resourcePackage!.channels.edges.map((e) => e.node.channel?.name).sort()).toEqual(['Batch NVR CH1', 'Batch NVR CH2']);
    const { channel } = await t.client.request(ChannelEntitlementsDocument, { id: c1! });
    expect(channel!.entitlements).toEqual([
      expect.objectContaining({ resourceType: 'MANAGE', packageId: pkg.id, mode: 'PACKAGE', source: 'BINDING', state: 'NORMAL', active: true, refusal: null }),
    ]);
    expect((await t.client.request(ChannelEntitlementsDocument, { id: c3! })).channel!.entitlements).toEqual([]);
    // the tenant's on-demand MANAGE takes c3, and moving c1 there frees a unit of the package
    const od = (await packages(t)).edges.map((e) => e.node).find((p) => p.resourceType === 'MANAGE' && p.mode === 'ON_DEMAND')!;
    const moved = await bind(t, od.id, [c1!, c3!]);
    expect(moved.channels.map((c) => c.ok)).toEqual([true, true]);
    expect(moved.channels[0]!.message).toContain(`moved from ${pkg.id}`);
    expect((await t.client.request(ChannelBindingsDocument, { filter: { resourceType: 'MANAGE' } })).channelBindings.totalCount).toBe(3);
    const again = await bind(t, od.id, [c1!]);
    expect(again.channels[0]).toMatchObject({ ok: false, code: 'CONFLICT' });
    // unbinding a channel that has nothing is not an error
    const unbound = await t.client.request(UnbindChannelsDocument, { input: { clientRequestId: rid(), resourceType: 'MANAGE', channelIds: [c1!, c2!, c3!] } });
    expect(unbound.unbindChannels.channels.map((c) => [c.ok, c.binding?.channelId ?? null])).toEqual([[true, c1], [true, c2], [true, c3]]);
    const nothing = await t.client.request(UnbindChannelsDocument, { input: { clientRequestId: rid(), resourceType: 'MANAGE', channelIds: [c1!] } });
    expect(nothing.unbindChannels.channels[0]).toMatchObject({ ok: true, binding: null });
    const after = (await packages(t)).edges.map((e) => e.node);
    expect(after.find((p) => p.id === pkg.id)!.quotaUsed).toBe(0);
    expect(after.find((p) => p.id === od.id)!.quotaUsed).toBe(0);
  });

  it('never sells the last unit twice to binds racing through the gateway', async () => {
    const t = await f.tenant('race', { defaultOpen: [] });
    const cam = await camera(t.client, 'Race NVR', 8);
    for (const quota of [1, 3]) {
      const pkg = await buy(t, { resourceType: 'TALK', quota, months: 1 });
      const results = await Promise.all(cam.channels.map((c) => bind(t, pkg.id, [c.id])));
      const ok = results.filter((r) => r.channels[0]!.ok);
      expect(ok).toHaveLength(quota);
      expect(results.filter((r) => !r.channels[0]!.ok).every((r) => r.channels[0]!.code === 'QUOTA_EXCEEDED')).toBe(true);
      const { resourcePackage } = await t.client.request(ResourcePackageChannelsDocument, { id: pkg.id });
      expect(resourcePackage).toMatchObject({ quotaUsed: quota });
      expect(resourcePackage!.channels.totalCount).toBe(quota);
      await t.client.request(UnbindChannelsDocument, { input: { clientRequestId: rid(), resourceType: 'TALK', channelIds: cam.channels.map((c) => c.id) } });
    }
  });

  it('answers a retried mutation with the first answer and refuses a reused id for another request', async () => {
    const t = await f.tenant('idempotent');
    const id = rid();
    const [a, b] = await Promise.all([
      buy(t, { resourceType: 'DATAFLOW', quota: 2, months: 3 }, id),
      buy(t, { resourceType: 'DATAFLOW', quota: 2, months: 3 }, id),
    ]);
    expect(b.id).toBe(a.id);
    expect((await buy(t, { resourceType: 'DATAFLOW', quota: 2, months: 3 }, id)).id).toBe(a.id);
    expect((await packages(t)).totalCount).toBe(6);
    const reused = await errorOf(buy(t, { resourceType: 'DATAFLOW', quota: 5, months: 3 }, id));
    expect(reused.code).toBe('CONFLICT');
    expect(reused.errors[0]!.extensions?.field).toBe('clientRequestId');
    const orders = (await t.client.request(BillingOrdersDocument, {})).billingOrders;
    expect(orders.edges.map((e) => [e.node.kind, e.node.resourceId, e.node.clientRequestId])).toEqual([['PURCHASE', a.id, id]]);
    // another tenant may use the same id for its own request
    const u = await f.tenant('idempotent-other');
    expect((await buy(u, { resourceType: 'DATAFLOW', quota: 1, months: 1 }, id)).id).not.toBe(a.id);
  });

  it('refuses bad input precisely and changes nothing', async () => {
    const t = await f.tenant('bad-input', { defaultOpen: [] });
    const cam = await camera(t.client, 'Bad input cam');
    const before = await packages(t);
    const field = async (p: Promise<unknown>) => {
      const e = await errorOf(p);
      return `${e.code}:${e.errors[0]?.extensions?.field ?? ''}`;
    };
    expect(await field(buy(t, { resourceType: 'MANAGE', quota: -2, months: 1 }))).toBe('BAD_USER_INPUT:quota');
    expect(await field(buy(t, { resourceType: 'MANAGE', quota: 1, months: 0 }))).toBe('BAD_USER_INPUT:months');
    expect(await field(buy(t, { resourceType: 'RECORD', quota: 1, months: 1, storageDays: 0 }))).toBe('BAD_USER_INPUT:storageDays');
    expect(await field(buy(t, { resourceType: 'RECORD', quota: 1, months: 1, storageDays: 366 }))).toBe('BAD_USER_INPUT:storageDays');
    // an unknown resource type fails GraphQL coercion before any resolver runs
    const unknown = await errorOf(buy(t, { resourceType: 'BANDWIDTH' as never, quota: 1, months: 1 }));
    expect(unknown.code).toBe('BAD_USER_INPUT');
    expect(unknown.message).toMatch(/BANDWIDTH/);
    const od = before.edges.map((e) => e.node).find((p) => p.resourceType === 'RECORD')!;
    expect(await field(bind(t, od.id, [cam.channels[0]!.id]))).toBe('BAD_USER_INPUT:storageDays');
    expect(await field(bind(t, od.id, [cam.channels[0]!.id], 400))).toBe('BAD_USER_INPUT:storageDays');
    expect(await field(bind(t, od.id, []))).toBe('BAD_USER_INPUT:channelIds');
    expect(await field(bind(t, 'res_unknown', [cam.channels[0]!.id]))).toBe('NOT_FOUND:packageId');
    expect(await field(t.client.request(RenewPackageDocument, { input: { clientRequestId: rid(), packageId: od.id, months: 1 } }))).toBe('BAD_USER_INPUT:packageId');
    expect(await field(t.client.request(AdjustCreditDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, amount: '5' } }))).toBe('FORBIDDEN:');
    expect(await field(f.admin.request(AdjustCreditDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, amount: '1.0000001' } }))).toBe('BAD_USER_INPUT:amount');
    expect(await field(f.admin.request(UpdateBillingAccountDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, defaultOpen: ['RECORD'] } }))).toBe('BAD_USER_INPUT:defaultOpen');
    const after = await packages(t);
    expect(after).toEqual(before);
    expect((await t.client.request(ChannelBindingsDocument, {})).channelBindings.totalCount).toBe(0);
    expect((await t.client.request(BillingOrdersDocument, {})).billingOrders.totalCount).toBe(0);
    expect((await t.client.request(BillingAccountDocument, {})).billingAccount).toMatchObject({ credit: '0', state: 'NORMAL', defaultOpen: [] });
  });

  it('keeps tenants apart: no binding of another tenant\'s channel, no use of its packages', async () => {
    const a = await f.tenant('iso-a', { defaultOpen: [] });
    const b = await f.tenant('iso-b', { defaultOpen: [] });
    const cam = await camera(a.client, 'A cam');
    const bPkg = await buy(b, { resourceType: 'MANAGE', quota: 3, months: 12 });
    const refused = await bind(b, bPkg.id, [cam.channels[0]!.id]);
    expect(refused.channels[0]).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect((await errorOf(bind(a, bPkg.id, [cam.channels[0]!.id]))).code).toBe('NOT_FOUND');
    expect((await b.client.request(ResourcePackageChannelsDocument, { id: bPkg.id })).resourcePackage).toMatchObject({ quotaUsed: 0 });
    expect((await a.client.request(ResourcePackageChannelsDocument, { id: bPkg.id })).resourcePackage).toBeNull();
    expect((await a.client.request(ChannelEntitlementsDocument, { id: cam.channels[0]!.id })).channel!.entitlements).toEqual([]);
    expect((await errorOf(a.client.request(BillingAccountDocument, { tenantId: b.tenantId }))).code).toBe('FORBIDDEN');
  });

  it('releases the bindings of a deleted device and gives the quota back', async () => {
    const t = await f.tenant('release', { defaultOpen: [] });
    const cam = await camera(t.client, 'Doomed NVR', 2);
    const pkg = await buy(t, { resourceType: 'MOTION', quota: 2, months: 1, storageDays: 7 });
    expect((await bind(t, pkg.id, cam.channels.map((c) => c.id))).failedCount).toBe(0);
    await t.client.request(DeleteDeviceDocument, { id: cam.id });
    await waitFor(
      async () => (await t.client.request(ChannelBindingsDocument, { filter: { packageId: pkg.id } })).channelBindings.totalCount === 0,
      15_000,
      () => 'bindings of the deleted device to be released',
    );
    const { resourcePackages } = await t.client.request(ResourcePackagesDocument, { filter: { resourceType: 'MOTION', mode: 'PACKAGE' } });
    expect(resourcePackages.edges.map((e) => [e.node.id, e.node.quotaUsed])).toEqual([[pkg.id, 0]]);
  });

  it('lets the admin set prices, add credit and suspend an account; purchases pay from credit', async () => {
    const t = await f.tenant('admin');
    try {
      await f.admin.request(SetPriceDocument, { input: { clientRequestId: rid(), resourceType: 'TALK', mode: 'PACKAGE', unit: 'CHANNEL_MONTH', price: '2.5' } });
      expect((await f.admin.request(PricesDocument)).prices).toContainEqual(expect.objectContaining({ resourceType: 'TALK', mode: 'PACKAGE', unit: 'CHANNEL_MONTH', price: '2.5' }));
      const poor = await errorOf(buy(t, { resourceType: 'TALK', quota: 2, months: 3 }));
      expect(poor.code).toBe('INSUFFICIENT_CREDIT');
      expect(poor.errors[0]!.extensions).toMatchObject({ cost: '15', credit: '0' });
      const credited = await f.admin.request(AdjustCreditDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, amount: '20', note: 'welcome' } });
      expect(credited.adjustCredit).toMatchObject({ credit: '20', state: 'NORMAL' });
      const pkg = await buy(t, { resourceType: 'TALK', quota: 2, months: 3 });
      expect((await t.client.request(BillingAccountDocument, {})).billingAccount.credit).toBe('5');
      const { billingOrders } = await t.client.request(BillingOrdersDocument, {});
      expect(billingOrders.edges.map((e) => [e.node.kind, e.node.amount, e.node.creditAfter, e.node.resourceId])).toEqual([
        ['PURCHASE', '-15', '5', pkg.id],
        ['CREDIT', '20', '20', null],
      ]);
      // a suspended account can do nothing
      await f.admin.request(UpdateBillingAccountDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, suspended: true } });
      expect((await errorOf(buy(t, { resourceType: 'MANAGE', quota: 1, months: 1 }))).code).toBe('ACCOUNT_SUSPENDED');
      const { resourcePackages } = await t.client.request(ResourcePackagesDocument, { filter: { state: 'UNAVAILABLE' } });
      expect(resourcePackages.totalCount).toBe(6);
      const restored = await f.admin.request(UpdateBillingAccountDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, suspended: false } });
      expect(restored.updateBillingAccount.state).toBe('NORMAL');
      // the admin reads any tenant's account and orders
      expect((await f.admin.request(BillingAccountDocument, { tenantId: t.tenantId })).billingAccount.credit).toBe('5');
      expect((await f.admin.request(BillingOrdersDocument, { filter: { tenantId: t.tenantId } })).billingOrders.totalCount).toBe(2);
    } finally {
      await f.admin.request(SetPriceDocument, { input: { clientRequestId: rid(), resourceType: 'TALK', mode: 'PACKAGE', unit: 'CHANNEL_MONTH', price: '0' } });
    }
  });
});
