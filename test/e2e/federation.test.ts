import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  ArgusClientError,
  CreateDeviceDocument, DeviceOverviewDocument, RaiseAlarmDocument, PurchasePackageDocument, BindChannelDocument,
  ResourcePackagesDocument, ChannelDocument, PlayGrantsDocument,
  type ArgusClient,
} from '@argus/client';
import { MODES, startFixture, type Fixture } from './context.js';

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

async function cameraWithChannels(client: ArgusClient, name: string, channelCount = 2) {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name, protocol: 'ISAPI', deviceCode: `${name.replace(/\W/g, '-')}-${Math.random().toString(36).slice(2, 8)}`, channelCount },
  });
  return createDevice;
}

describe.each(MODES)('federation across subgraphs (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => f?.close());

  it('answers DeviceOverview from devices, media, events and billing in one request', async () => {
    const { client } = await f.tenant('overview');
    const cam = await cameraWithChannels(client, 'Overview cam');
    const [ch1, ch2] = cam.channels;
    for (const level of ['MAJOR', 'CRITICAL'] as const) {
      await client.request(RaiseAlarmDocument, { input: { channelId: ch1!.id, type: 'MOTION', level, status: 'START', description: `motion ${level}` } });
    }
    const { purchasePackage: pkg } = await client.request(PurchasePackageDocument, { input: { resourceType: 'RECORD', quota: 5, months: 1, storageDays: 7 } });
    await client.request(BindChannelDocument, { channelId: ch1!.id, packageId: pkg.id });

    const result = await client.execute(DeviceOverviewDocument, { id: cam.id, protocol: 'HLS' });
    expect(result.errors).toBeUndefined();
    const device = result.data!.device!;
    expect(device).toMatchObject({ id: cam.id, name: 'Overview cam', status: 'OFFLINE' });
    expect(device.channels.map((c) => c.id)).toEqual([ch1!.id, ch2!.id]);
    const [o1, o2] = device.channels;

    // media: a signed URL per channel
    for (const c of [o1!, o2!]) {
      expect(c.live.protocol).toBe('HLS');
      expect(c.live.url).toContain(`/live/${c.id}/`);
      expect(c.live.url).toMatch(/\.m3u8\?token=[^&\s]{16,}/);
      expect(new Date(c.live.expiresAt).getTime() - Date.now()).toBeGreaterThan(500_000);
      expect(new Date(c.live.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(600_000);
    }
    expect(o1!.live.url).not.toBe(o2!.live.url);
    const { playGrants } = await client.request(PlayGrantsDocument, { channelId: ch1!.id });
    expect(playGrants.edges.map((e) => e.node.id)).toContain(o1!.live.grantId);

    // events: only the channel's own alarms, newest first
    expect(o1!.alarms.totalCount).toBe(2);
    expect(o1!.alarms.edges.map((e) => e.node.description).sort()).toEqual(['motion CRITICAL', 'motion MAJOR']);
    expect(o1!.alarms.edges.every((e) => e.node.type === 'MOTION')).toBe(true);
    expect(o2!.alarms.totalCount).toBe(0);

    // billing: the bound package
    expect(o1!.entitlements).toEqual([{ resourceType: 'RECORD', packageId: pkg.id, active: true }]);
    expect(o2!.entitlements).toEqual([]);
  });

  it('resolves an alarm\'s channel and device names from the devices subgraph', async () => {
    const { client } = await f.tenant('names');
    const cam = await cameraWithChannels(client, 'Warehouse NVR', 3);
    const { raiseAlarm } = await client.request(RaiseAlarmDocument, {
      input: { channelId: cam.channels[2]!.id, type: 'INTRUSION', level: 'CRITICAL', status: 'PULSE', description: 'someone at the back door' },
    });
    expect(raiseAlarm).toMatchObject({
      deviceId: cam.id,
      channelId: cam.channels[2]!.id,
      state: 'NEW',
      channel: { id: cam.channels[2]!.id, name: 'Warehouse NVR CH3', device: { id: cam.id, name: 'Warehouse NVR' } },
    });
  });

  it('refuses to bind another tenant\'s channel (NOT_FOUND) and leaves it unbound', async () => {
    const a = await f.tenant('bind-a');
    const b = await f.tenant('bind-b');
    const cam = await cameraWithChannels(a.client, 'A cam', 1);
    const { purchasePackage: bPkg } = await b.client.request(PurchasePackageDocument, { input: { resourceType: 'MANAGE', quota: 3, months: 12 } });
    const err = await errorOf(b.client.request(BindChannelDocument, { channelId: cam.channels[0]!.id, packageId: bPkg.id }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.errors[0]!.extensions?.field).toBe('channelId');
    // nor may A use B's package
    expect((await errorOf(a.client.request(BindChannelDocument, { channelId: cam.channels[0]!.id, packageId: bPkg.id }))).code).toBe('NOT_FOUND');
    const { resourcePackages } = await b.client.request(ResourcePackagesDocument, {});
    expect(resourcePackages).toEqual([expect.objectContaining({ id: bPkg.id, quotaUsed: 0, quotaTotal: 3 })]);
    const overview = await a.client.request(DeviceOverviewDocument, { id: cam.id, protocol: 'RTSP' });
    expect(overview.device!.channels[0]!.entitlements).toEqual([]);
    // and B cannot even see the channel
    expect((await b.client.request(ChannelDocument, { id: cam.channels[0]!.id })).channel).toBeNull();
  });

  it('refuses a second channel on a package of quota 1 with QUOTA_EXCEEDED', async () => {
    const { client } = await f.tenant('quota');
    const cam = await cameraWithChannels(client, 'Quota cam', 2);
    const [ch1, ch2] = cam.channels;
    const { purchasePackage: pkg } = await client.request(PurchasePackageDocument, { input: { resourceType: 'MOTION', quota: 1, months: 1 } });
    const { bindChannel } = await client.request(BindChannelDocument, { channelId: ch1!.id, packageId: pkg.id });
    expect(bindChannel.package).toMatchObject({ id: pkg.id, quotaUsed: 1, quotaTotal: 1 });
    const err = await errorOf(client.request(BindChannelDocument, { channelId: ch2!.id, packageId: pkg.id }));
    expect(err.code).toBe('QUOTA_EXCEEDED');
    const { resourcePackages } = await client.request(ResourcePackagesDocument, { resourceType: 'MOTION' });
    expect(resourcePackages).toEqual([expect.objectContaining({ id: pkg.id, quotaUsed: 1 })]);
    const { device } = await client.request(DeviceOverviewDocument, { id: cam.id, protocol: 'FLV' });
    expect(device!.channels.map((c) => c.entitlements.map((e) => e.packageId))).toEqual([[pkg.id], []]);
  });
});
