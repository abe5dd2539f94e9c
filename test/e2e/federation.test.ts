import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  CreateDeviceDocument, DeviceOverviewDocument, RaiseAlarmDocument, PurchasePackageDocument, BindChannelsDocument,
  PlayGrantsDocument,
  type ArgusClient,
} from '@argus/client';
import { MODES, startFixture, type Fixture } from './context.js';

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
    const { purchasePackage: pkg } = await client.request(PurchasePackageDocument, {
      input: { clientRequestId: 'overview-buy', resourceType: 'RECORD', quota: 5, months: 1, storageDays: 7 },
    });
    await client.request(BindChannelsDocument, { input: { clientRequestId: 'overview-bind', packageId: pkg.id, channelIds: [ch1!.id] } });

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

    // billing: the bound package, next to the services the tenant opens for every channel
    const bound = (c: typeof o1) => c!.entitlements.filter((e) => e.source === 'BINDING');
    expect(bound(o1)).toEqual([{ resourceType: 'RECORD', packageId: pkg.id, source: 'BINDING', active: true }]);
    expect(bound(o2)).toEqual([]);
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
});
