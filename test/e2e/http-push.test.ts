import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@argus/harness';
import {
  AlarmRaisedDocument, AlarmsDocument, CreateDeviceDocument, DeviceDocument, RaiseAlarmDocument,
  type AlarmRaisedSubscription, type ArgusClient,
} from '@argus/client';
import { MODES, collect, startFixture, type Fixture } from './context.js';
import { HttpPushCamera } from '../sim/http-push-camera.js';

type Alarm = AlarmRaisedSubscription['alarmRaised'];
type Collector = ReturnType<typeof collect<AlarmRaisedSubscription>>;
const PROBE = 'http-push probe';

/** Subscribes to alarmRaised and waits until it is live (a probe alarm raised on `channelId` comes through). */
async function liveAlarmSubscription(client: ArgusClient, channelId: string, what: string): Promise<Collector> {
  const sub = collect(client.subscribe(AlarmRaisedDocument, {}));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { raiseAlarm } = await client.request(RaiseAlarmDocument, { input: { channelId, type: 'MANUAL', level: 'INFO', status: 'PULSE', description: PROBE } });
    try {
      await waitFor(() => {
        if (sub.error) throw sub.error;
        return sub.values.some((v) => v.alarmRaised.id === raiseAlarm.id);
      }, 750);
      return sub;
    } catch (err) {
      if (sub.error) throw sub.error;
      if (Date.now() > deadline) throw new Error(`${what}: subscription never went live (${String(err)})`);
    }
  }
}

const pushed = (sub: Collector): Alarm[] => sub.values.map((v) => v.alarmRaised).filter((a) => a.description !== PROBE);

async function until(sub: Collector, check: (alarms: Alarm[]) => boolean, what: string) {
  await waitFor(() => {
    if (sub.error) throw sub.error;
    return check(pushed(sub));
  }, 15_000, () => `${what}; received ${JSON.stringify(pushed(sub))}`);
}

describe.each(MODES)('HTTP push camera → alarm subscription (%s)', (mode) => {
  let f: Fixture;
  const subs: Collector[] = [];
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop().catch(() => undefined)));
    await f?.close();
  });

  it('a camera speaking the spec stays online and its alarms reach its own tenant\'s subscription with names resolved', async () => {
    const a = await f.tenant('push-a');
    const b = await f.tenant('push-b');
    const code = `JV${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
    const { createDevice: device } = await a.client.request(CreateDeviceDocument, {
      input: { name: 'Lift lobby', protocol: 'HTTP_PUSH', deviceCode: code, password: 'cam pass 1', channelCount: 1 },
    });
    const { createDevice: other } = await b.client.request(CreateDeviceDocument, {
      input: { name: 'B gate', protocol: 'HTTP_PUSH', deviceCode: `${code}B`, password: 'other', channelCount: 1 },
    });
    const subA = await liveAlarmSubscription(a.client, device.channels[0]!.id, 'tenant A');
    const subB = await liveAlarmSubscription(b.client, other.channels[0]!.id, 'tenant B');
    subs.push(subA, subB);

    const server = `http://127.0.0.1:${f.argus.ports.HTTP_PUSH_PORT}`;
    const cam = new HttpPushCamera({ server, deviceId: code, password: 'cam pass 1' });
    const ka = await cam.keepalive();
    expect(ka.json).toEqual({ method: 'keepalive', keepinterval: 60, error: { errorcode: 0, errormsg: '' } });
    await waitFor(async () => (await a.client.request(DeviceDocument, { id: device.id })).device?.status === 'ONLINE', 10_000, () => 'the device never went ONLINE');
    const { device: online } = await a.client.request(DeviceDocument, { id: device.id });
    expect(online?.lastSeenAt).toBeTruthy();

    const uuid = `${code}/1/ebike_detection/${Date.now()}/1`;
    const res = await cam.alarmReport({ alarm_uuid: uuid, alarm_msg: 'e-bike entering the lift' });
    expect(res.json).toEqual({ method: 'alarm_report', error: { errorcode: 0, errormsg: '' } });
    await until(subA, (xs) => xs.some((x) => x.sourceCode === 'ebike_detection'), 'the pushed alarm never reached tenant A');
    const live = pushed(subA).find((x) => x.sourceCode === 'ebike_detection')!;
    expect(live).toMatchObject({
      status: 'START', deviceId: device.id, channelId: device.channels[0]!.id, description: 'e-bike entering the lift',
      channel: { id: device.channels[0]!.id, name: device.channels[0]!.name, device: { id: device.id, name: 'Lift lobby' } },
      device: { id: device.id, name: 'Lift lobby' },
    });

    // an event_report from the same camera (IPC channel 0) arrives too
    expect((await cam.eventReport({ type: 'ebike_det', typeName: 'E-bike' })).status).toBe(200);
    await until(subA, (xs) => xs.some((x) => x.sourceCode === 'ebike_det'), 'the event_report never reached tenant A');
    expect(pushed(subA).find((x) => x.sourceCode === 'ebike_det')).toMatchObject({ channel: { name: device.channels[0]!.name, device: { name: 'Lift lobby' } } });

    // wrong password and unknown devices are refused and raise nothing
    expect((await new HttpPushCamera({ server, deviceId: code, password: 'wrong' }).alarmReport()).status).toBe(401);
    expect((await new HttpPushCamera({ server, deviceId: 'NOSUCHCAM01', password: 'x' }).alarmReport()).status).toBe(401);

    // B's own alarm, pushed after A's: once B has it, B would already have had A's
    const camB = new HttpPushCamera({ server, deviceId: `${code}B`, password: 'other' });
    expect((await camB.alarmReport({ alarm_type: 'falling_detection', alarm_uuid: `${code}B/1/f/1` })).status).toBe(200);
    await until(subB, (xs) => xs.some((x) => x.sourceCode === 'falling_detection'), 'B never received its own alarm');
    expect(pushed(subB).every((x) => x.deviceId === other.id)).toBe(true);
    expect(pushed(subA).every((x) => x.deviceId === device.id)).toBe(true);
    expect(pushed(subA)).toHaveLength(2);

    // and it is stored, once, under the id the subscriber saw
    await waitFor(async () => {
      const { alarms } = await a.client.request(AlarmsDocument, { filter: { deviceId: device.id } });
      return alarms.edges.some((e) => e.node.id === live.id);
    }, 10_000, () => 'the pushed alarm was not stored');
  });

  it.runIf(mode === 'scale')('loses no accepted alarm while the events service is down', async () => {
    const t = await f.tenant('push-durable');
    const code = `JD${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
    const { createDevice: device } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'Durable cam', protocol: 'HTTP_PUSH', deviceCode: code, password: 'durable pw', channelCount: 1 },
    });
    const cam = new HttpPushCamera({ server: `http://127.0.0.1:${f.argus.ports.HTTP_PUSH_PORT}`, deviceId: code, password: 'durable pw' });
    expect((await cam.keepalive()).status).toBe(200);
    await f.argus.stopService('events');
    const uuids = [1, 2, 3].map((i) => `${code}/1/smoke_detection/${Date.now()}/${i}`);
    for (const uuid of uuids) {
      const res = await cam.alarmReport({ alarm_type: 'smoke_detection', alarm_uuid: uuid });
      expect(res.json).toMatchObject({ method: 'alarm_report', error: { errorcode: 0 } });
    }
    await f.argus.startService('events');
    await waitFor(async () => {
      const { alarms } = await t.client.request(AlarmsDocument, { filter: { deviceId: device.id } });
      return alarms.totalCount === uuids.length;
    }, 30_000, () => 'alarms accepted while events was down were not all stored after its restart');
  });
});
