import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@argus/harness';
import { INTERNAL_CONTEXT_HEADER, InternalContextSigner, loadConfig, type CallerContext, type EntitlementSnapshot } from '@argus/platform';
import {
  ArgusClientError,
  CreateDeviceDocument, ChannelLiveDocument, ChannelPublishUrlDocument, StreamsDocument, RaiseAlarmDocument, AlarmRaisedDocument, AlarmsDocument,
  PurchasePackageDocument, BindChannelsDocument, UnbindChannelsDocument, ResourcePackagesDocument, ChannelEntitlementsDocument,
  ViewerDocument, BillingAccountDocument, AdjustCreditDocument, SetPriceDocument, UsageTotalsDocument, UsageDocument,
  type AlarmRaisedSubscription, type ArgusClient, type ResourceType,
} from '@argus/client';
import { MODES, collect, startFixture, type Fixture, type TenantFixture } from './context.js';
import { spawnFfmpeg, killAllFfmpeg, testSourceArgs, h264AacArgs } from '../../media/test/support/ffmpeg.js';

type LiveAlarm = AlarmRaisedSubscription['alarmRaised'];
const rid = () => randomUUID();
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010101004800480000', 'hex'), randomBytes(400), Buffer.from('ffd9', 'hex')]);
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(200)]);

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

async function camera(client: ArgusClient, name: string, channelCount = 1, protocol: 'ISAPI' | 'RTMP' = 'ISAPI') {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name, protocol, deviceCode: `enf-${randomUUID().slice(0, 8)}`, channelCount },
  });
  return createDevice;
}

/** The code Channel.live answers with now: OK or the error code. */
async function liveAnswer(client: ArgusClient, channelId: string): Promise<string> {
  try {
    await client.request(ChannelLiveDocument, { channelId, protocol: 'FLV' });
    return 'OK';
  } catch (e) {
    if (e instanceof ArgusClientError) return e.code;
    throw e;
  }
}

/** Waits (generously: billing tells the checkers through the bus) until Channel.live answers `code`. */
async function untilLiveAnswers(client: ArgusClient, channelId: string, code: string): Promise<void> {
  let last = '';
  await waitFor(async () => (last = await liveAnswer(client, channelId)) === code, 15_000, () => `Channel.live to answer ${code}, last ${last}`);
}

/**
 * Billing's say over the rest of Argus, through the gateway: play URLs need MANAGE, live alarms
 * need MANAGE and DATAFLOW, on-demand services stop when credit runs out and resume when it is
 * restored, and what players and devices do is metered.
 */
describe.each(MODES)('billing enforcement and metering (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => {
    await killAllFfmpeg();
    await f?.close();
  });
  afterEach(() => killAllFfmpeg());

  const onDemand = async (t: TenantFixture, type: ResourceType) =>
    (await t.client.request(ResourcePackagesDocument, { filter: { resourceType: type, mode: 'ON_DEMAND' } })).resourcePackages.edges[0]!.node;
  const bind = (t: TenantFixture, packageId: string, channelIds: string[], storageDays?: number) =>
    t.client.request(BindChannelsDocument, { input: { clientRequestId: rid(), packageId, channelIds, storageDays } }).then((r) => r.bindChannels);

  it('refuses play and publish URLs without MANAGE, grants them once bound, refuses again once unbound', async () => {
    const t = await f.tenant('manage', { defaultOpen: [] });
    const cam = await camera(t.client, 'Lobby cam');
    const channelId = cam.channels[0]!.id;
    const refused = await errorOf(t.client.request(ChannelLiveDocument, { channelId, protocol: 'HLS' }));
    expect(refused.code).toBe('ENTITLEMENT_MISSING');
    expect(refused.errors[0]!.extensions).toMatchObject({ resourceType: 'MANAGE', state: 'MISSING' });
    expect(refused.message).toContain(channelId);
    expect((await errorOf(t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' }))).code).toBe('ENTITLEMENT_MISSING');

    const { purchasePackage: pkg } = await t.client.request(PurchasePackageDocument, { input: { clientRequestId: rid(), resourceType: 'MANAGE', quota: 1, months: 1 } });
    expect((await bind(t, pkg.id, [channelId])).failedCount).toBe(0);
    await untilLiveAnswers(t.client, channelId, 'OK');
    const { channel } = await t.client.request(ChannelLiveDocument, { channelId, protocol: 'HLS' });
    expect(channel!.live.url).toMatch(/\/live\/.+\/index\.m3u8\?token=/);
    expect((await t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' })).channel!.publishUrl).toMatch(/^rtmp:\/\//);

    await t.client.request(UnbindChannelsDocument, { input: { clientRequestId: rid(), resourceType: 'MANAGE', channelIds: [channelId] } });
    await untilLiveAnswers(t.client, channelId, 'ENTITLEMENT_MISSING');
  });

  it('answers entitlement batches to Argus services only, each scope in order, and refuses a malformed batch with 400', async () => {
    const t = await f.tenant('batch', { defaultOpen: ['MANAGE'] });
    const cam = await camera(t.client, 'Batch cam');
    const channelId = cam.channels[0]!.id;
    const { tenantId } = (await t.client.request(ViewerDocument, {})).viewer;
    const signer = new InternalContextSigner(loadConfig({ ARGUS_MASTER_KEY: f.argus.masterKey().toString('base64'), ARGUS_DATA_DIR: f.argus.dataDir }).deriveKey('internal-context'));
    const url = f.argus.subgraphUrls.billing.replace(/\/graphql$/, '/internal/entitlements');
    const post = (body: unknown, role: CallerContext['role'] | null = 'SERVICE') =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(role ? { [INTERNAL_CONTEXT_HEADER]: signer.sign({ tenantId: role === 'SERVICE' ? null : tenantId, appId: null, role }) } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const ok = await post({ tenantId, scopes: [{ channelId }, { deviceId: cam.id }, { channelId: 'chn_unknown' }] });
    expect(ok.status).toBe(200);
    const { snapshots } = (await ok.json()) as { snapshots: EntitlementSnapshot[] };
    expect(snapshots).toHaveLength(3);
    expect(snapshots[0]).toMatchObject({ tenantId, account: { state: 'NORMAL' }, coverage: { MANAGE: { mode: 'ON_DEMAND', source: 'DEFAULT' } } });
    expect(snapshots[0]!.coverage.DATAFLOW).toBeUndefined();
    expect(snapshots[1]!.coverage.MANAGE).toBeDefined();
    for (const bad of [
      { tenantId, scopes: [] },
      { tenantId, scopes: [{ channelId, deviceId: cam.id }] },
      { tenantId, scopes: [{ channelId: 42 }] },
      { scopes: [{ channelId }] },
      { tenantId, scopes: Array.from({ length: 501 }, (_, i) => ({ channelId: `c${i}` })) },
      'not json',
    ]) {
      const res = await post(bad);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    }
    expect((await post({ tenantId, scopes: [{ channelId }] }, null)).status).toBeGreaterThanOrEqual(401);
    expect((await post({ tenantId, scopes: [{ channelId }] }, 'TENANT')).status).toBe(403);
  });

  it('stores an alarm of a channel without DATAFLOW but delivers it live only once DATAFLOW is bound', async () => {
    const t = await f.tenant('dataflow', { defaultOpen: [] });
    const cam = await camera(t.client, 'Yard NVR', 2);
    const [open, closed] = cam.channels.map((c) => c.id) as [string, string];
    const manage = await onDemand(t, 'MANAGE');
    const dataflow = await onDemand(t, 'DATAFLOW');
    expect((await bind(t, manage.id, [open, closed])).failedCount).toBe(0);
    expect((await bind(t, dataflow.id, [open])).failedCount).toBe(0);
    const raise = (channelId: string, description: string) =>
      t.client.request(RaiseAlarmDocument, { input: { channelId, type: 'INTRUSION', level: 'MAJOR', status: 'PULSE', description } }).then((r) => r.raiseAlarm);
    const sub = collect<{ alarmRaised: LiveAlarm }>(t.client.subscribe(AlarmRaisedDocument));
    try {
      const seen = (description: string) => sub.values.some((v) => v.alarmRaised.description === description);
      // the subscription is live once an alarm of the open channel comes through
      await waitFor(async () => {
        if (sub.error) throw sub.error;
        await raise(open, 'probe');
        await new Promise((r) => setTimeout(r, 300));
        return seen('probe');
      }, 20_000, () => 'the subscription never delivered an alarm of the entitled channel');
      const hidden = await raise(closed, 'no dataflow yet');
      await raise(open, 'after the hidden one');
      await waitFor(() => seen('after the hidden one'), 10_000, () => 'an alarm raised after the hidden one');
      expect(seen('no dataflow yet')).toBe(false);
      // stored all the same
      const { alarms } = await t.client.request(AlarmsDocument, { filter: { channelId: closed } });
      expect(alarms.edges.map((e) => e.node.id)).toEqual([hidden.id]);

      expect((await bind(t, dataflow.id, [closed])).failedCount).toBe(0);
      await waitFor(async () => {
        await raise(closed, 'dataflow now');
        await new Promise((r) => setTimeout(r, 300));
        return seen('dataflow now');
      }, 15_000, () => 'an alarm of the newly bound channel to be delivered');
      expect(seen('no dataflow yet')).toBe(false);
    } finally {
      await sub.stop();
    }
  });

  it('stops on-demand services when credit runs out, keeps packages working, and resumes when credit is restored', async () => {
    const t = await f.tenant('arrears', { credit: '1' });
    const cam = await camera(t.client, 'Arrears NVR', 2);
    const [onDemandCh, packageCh] = cam.channels.map((c) => c.id) as [string, string];
    try {
      await f.admin.request(SetPriceDocument, { input: { clientRequestId: rid(), resourceType: 'DATAFLOW', mode: 'ON_DEMAND', unit: 'ALARM', price: '0.4' } });
      const { purchasePackage: pkg } = await t.client.request(PurchasePackageDocument, { input: { clientRequestId: rid(), resourceType: 'MANAGE', quota: 1, months: 1 } });
      await bind(t, pkg.id, [packageCh]);
      expect(await liveAnswer(t.client, onDemandCh)).toBe('OK');
      // a play URL handed out before the credit runs out (nobody publishes the channel: the media server answers 404)
      const { channel: before } = await t.client.request(ChannelLiveDocument, { channelId: onDemandCh, protocol: 'FLV' });
      const playCode = async () => {
        const res = await fetch(before!.live.url);
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
        return `${res.status} ${body.error?.code ?? ''}`;
      };
      expect(await playCode()).toBe('404 STREAM_NOT_FOUND');
      for (let i = 0; i < 3; i++) {
        await t.client.request(RaiseAlarmDocument, { input: { channelId: onDemandCh, type: 'MOTION', level: 'MINOR', status: 'PULSE', description: `charged ${i}` } });
      }
      await waitFor(async () => (await t.client.request(BillingAccountDocument, {})).billingAccount.state === 'ARREARS', 15_000, () => 'the account to fall into ARREARS');
      expect((await t.client.request(BillingAccountDocument, {})).billingAccount.credit).toBe('-0.2');
      await untilLiveAnswers(t.client, onDemandCh, 'ACCOUNT_IN_ARREARS');
      expect(await liveAnswer(t.client, packageCh)).toBe('OK');
      // the media server refuses the URL it was handed before
      let code = '';
      await waitFor(async () => (code = await playCode()) === '403 ACCOUNT_IN_ARREARS', 15_000, () => `the old play URL to be refused, got ${code}`);
      const { channel } = await t.client.request(ChannelEntitlementsDocument, { id: onDemandCh });
      expect(channel!.entitlements.find((e) => e.resourceType === 'MANAGE')).toMatchObject({ mode: 'ON_DEMAND', source: 'DEFAULT', state: 'ARREARS', active: false, refusal: 'ACCOUNT_IN_ARREARS' });
      // nothing more can be opened on demand meanwhile
      const refused = await bind(t, (await onDemand(t, 'TALK')).id, [packageCh]);
      expect(refused.channels[0]).toMatchObject({ ok: false, code: 'ACCOUNT_IN_ARREARS' });

      const { adjustCredit } = await f.admin.request(AdjustCreditDocument, { input: { clientRequestId: rid(), tenantId: t.tenantId, amount: '1', note: 'paid' } });
      expect(adjustCredit).toMatchObject({ credit: '0.8', state: 'NORMAL' });
      await untilLiveAnswers(t.client, onDemandCh, 'OK');
      await waitFor(async () => (code = await playCode()) === '404 STREAM_NOT_FOUND', 15_000, () => `the old play URL to get past billing again, got ${code}`);
      const { usageTotals } = await t.client.request(UsageTotalsDocument, { filter: { metric: 'ALARMS' } });
      expect(usageTotals).toEqual([{ metric: 'ALARMS', protocol: '', quantity: 3, events: 3, charged: '1.2' }]);
    } finally {
      await f.admin.request(SetPriceDocument, { input: { clientRequestId: rid(), resourceType: 'DATAFLOW', mode: 'ON_DEMAND', unit: 'ALARM', price: '0' } });
    }
  });

  it('meters what a player downloads and how long, how long a publisher pushed, and alarms and pictures', async () => {
    const t = await f.tenant('metering');
    const cam = await camera(t.client, 'Metered encoder', 1, 'RTMP');
    const channelId = cam.channels[0]!.id;
    const { channel: pub } = await t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' });
    const publishedAt = Date.now();
    const publisher = spawnFfmpeg(['-re', ...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', pub!.publishUrl], { timeoutMs: 120_000 });
    await waitFor(async () => (await t.client.request(StreamsDocument)).streams.some((s) => s.channelId === channelId), 30_000, () => 'the stream to go live');

    // one viewer over HTTP-FLV for about three seconds, counting every byte it gets
    const { channel } = await t.client.request(ChannelLiveDocument, { channelId, protocol: 'FLV' });
    const abort = new AbortController();
    const opened = Date.now();
    const res = await fetch(channel!.live.url, { signal: abort.signal });
    expect(res.status).toBe(200);
    let received = 0;
    const reader = res.body!.getReader();
    const stopAt = Date.now() + 3000;
    while (Date.now() < stopAt) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    const watchedMs = Date.now() - opened;
    expect(received).toBeGreaterThan(20_000);

    const totalsOf = async () => (await t.client.request(UsageTotalsDocument, {})).usageTotals;
    const metric = (totals: Awaited<ReturnType<typeof totalsOf>>, m: string, p = '') => totals.find((x) => x.metric === m && x.protocol === p);
    await waitFor(async () => !!metric(await totalsOf(), 'EGRESS_BYTES', 'FLV'), 20_000, () => 'the viewer to be metered');
    let totals = await totalsOf();
    const egress = metric(totals, 'EGRESS_BYTES', 'FLV')!;
    expect(egress.events).toBe(1);
    // what was metered is what was sent: the media payload of the bytes the player got, less FLV framing
    expect(egress.quantity).toBeLessThanOrEqual(received);
    expect(egress.quantity).toBeGreaterThan(received * 0.85);
    const view = metric(totals, 'VIEW_SECONDS', 'FLV')!;
    expect(view.quantity).toBeGreaterThan(2);
    expect(view.quantity).toBeLessThanOrEqual(watchedMs / 1000 + 1);
    expect(egress.charged).toBe('0'); // the price table is empty

    await publisher.kill();
    const pushedMs = Date.now() - publishedAt;
    await waitFor(async () => !!metric(await totalsOf(), 'PUBLISH_SECONDS', 'RTMP'), 20_000, () => 'the publisher to be metered');
    const pushed = metric(await totalsOf(), 'PUBLISH_SECONDS', 'RTMP')!;
    expect(pushed.quantity).toBeGreaterThanOrEqual(1);
    expect(pushed.quantity).toBeLessThanOrEqual(pushedMs / 1000 + 1);

    // alarms: three, one of them with two pictures; a repeated report (same dedupeKey) is one alarm
    const raise = (dedupeKey: string, pictures = false) =>
      t.client.request(RaiseAlarmDocument, {
        input: {
          channelId, type: 'MOTION', level: 'MINOR', status: 'PULSE', description: dedupeKey, dedupeKey,
          attributes: pictures ? { pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG.toString('base64') }, { contentType: 'image/png', dataBase64: PNG.toString('base64') }] } : null,
        },
      });
    await raise('m-1');
    await raise('m-2', true);
    await raise('m-3');
    await raise('m-3');
    await waitFor(async () => metric(await totalsOf(), 'ALARMS')?.quantity === 3, 20_000, () => 'three alarms to be metered');
    totals = await totalsOf();
    expect(metric(totals, 'ALARMS')).toMatchObject({ quantity: 3, events: 3 });
    expect(metric(totals, 'PICTURES')).toMatchObject({ quantity: 2, events: 1 });
    // per channel and day
    const today = new Date().toISOString().slice(0, 10);
    const { usage } = await t.client.request(UsageDocument, { filter: { channelId, from: today, to: today } });
    expect(new Set(usage.edges.map((e) => e.node.metric))).toEqual(new Set(['EGRESS_BYTES', 'VIEW_SECONDS', 'PUBLISH_SECONDS', 'ALARMS', 'PICTURES']));
    expect(usage.edges.every((e) => e.node.channelId === channelId && e.node.day === today)).toBe(true);
  });
});
