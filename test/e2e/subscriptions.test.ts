import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, JSONCodec } from 'nats';
import { waitFor } from '@argus/harness';
import {
  createArgusClient,
  AlarmRaisedDocument, DeviceChangedDocument, RaiseAlarmDocument, CreateDeviceDocument, UpdateDeviceDocument,
  DeleteDeviceDocument, UpdateChannelDocument, AlarmsDocument, ViewerDocument,
  type AlarmRaisedSubscription, type DeviceChangedSubscription, type ArgusClient, type CreateDeviceMutation,
} from '@argus/client';
import { MODES, collect, startFixture, type Fixture } from './context.js';

type Collector<T> = ReturnType<typeof collect<T>>;
type Alarm = AlarmRaisedSubscription['alarmRaised'];
type Change = DeviceChangedSubscription['deviceChanged'];
type Device = CreateDeviceMutation['createDevice'];

const PROBE = 'subscription probe';

async function createCamera(client: ArgusClient, name: string): Promise<Device> {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name, protocol: 'ISAPI', deviceCode: `sub-${randomUUID().slice(0, 8)}`, channelCount: 1 },
  });
  return createDevice;
}

/**
 * Waits until `sub` is live: fires `probe` (which returns a marker) and waits briefly for the
 * subscriber to see it, again and again, so nothing the test does afterwards can be missed.
 */
async function untilLive<T>(sub: Collector<T>, probe: () => Promise<(v: T) => boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = await probe();
    try {
      await waitFor(() => {
        if (sub.error) throw sub.error;
        return sub.values.some(seen);
      }, 750);
      return;
    } catch (err) {
      if (sub.error) throw sub.error;
      if (Date.now() > deadline) throw new Error(`${what}: subscription never saw a probe (${String(err)})`);
    }
  }
}

async function until<T>(sub: Collector<T>, check: (values: T[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    () => {
      if (sub.error) throw sub.error;
      return check(sub.values);
    },
    timeoutMs,
    () => `${what}; received ${JSON.stringify(sub.values)}`,
  );
}

/** Subscribes to alarmRaised and waits until an alarm raised on `channelId` comes through. */
async function alarmSubscriber(subscriber: ArgusClient, raiser: ArgusClient, channelId: string, what: string) {
  const sub = collect(subscriber.subscribe(AlarmRaisedDocument, {}));
  await untilLive(
    sub,
    async () => {
      const { raiseAlarm } = await raiser.request(RaiseAlarmDocument, { input: { channelId, type: 'MANUAL', level: 'INFO', status: 'PULSE', description: PROBE } });
      return (v) => v.alarmRaised.id === raiseAlarm.id;
    },
    what,
  );
  return sub;
}

const real = (values: { alarmRaised: Alarm }[]) => values.map((v) => v.alarmRaised).filter((a) => a.description !== PROBE);

describe.each(MODES)('subscriptions (%s)', (mode) => {
  let f: Fixture;
  const subs: Collector<unknown>[] = [];
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => {
    await Promise.all(subs.map((s) => s.stop().catch(() => undefined)));
    await f?.close();
  });

  it('streams a raised alarm over graphql-ws with channel and device names, to its own tenant only', async () => {
    const a = await f.tenant('alarms-a');
    const b = await f.tenant('alarms-b');
    const camA = await createCamera(a.client, 'Loading dock');
    const camB = await createCamera(b.client, 'B office');
    const subA = await alarmSubscriber(a.client, a.client, camA.channels[0]!.id, 'tenant A');
    const subB = await alarmSubscriber(b.client, b.client, camB.channels[0]!.id, 'tenant B');
    subs.push(subA, subB);

    const { raiseAlarm: alarmA } = await a.client.request(RaiseAlarmDocument, {
      input: { channelId: camA.channels[0]!.id, type: 'LINE_CROSSING', level: 'MAJOR', status: 'START', description: 'truck crossed the line', sourceCode: 'linedetection' },
    });
    await until(subA, (vs) => real(vs).some((x) => x.id === alarmA.id), 'A never received its alarm');
    const got = real(subA.values).find((x) => x.id === alarmA.id)!;
    expect(got).toMatchObject({
      type: 'LINE_CROSSING', level: 'MAJOR', status: 'START', state: 'NEW', sourceCode: 'linedetection',
      description: 'truck crossed the line', deviceId: camA.id, channelId: camA.channels[0]!.id,
      channel: { id: camA.channels[0]!.id, name: 'Loading dock CH1', device: { id: camA.id, name: 'Loading dock' } },
      device: { id: camA.id, name: 'Loading dock' },
    });
    expect(got.occurredAt).toBe(alarmA.occurredAt);

    // B's alarm, raised after A's on the same bus: once B has it, B would already have had A's
    const { raiseAlarm: alarmB } = await b.client.request(RaiseAlarmDocument, {
      input: { channelId: camB.channels[0]!.id, type: 'TAMPER', level: 'MINOR', status: 'PULSE', description: 'lens covered' },
    });
    await until(subB, (vs) => real(vs).some((x) => x.id === alarmB.id), 'B never received its alarm');
    expect(real(subB.values).map((x) => x.id)).toEqual([alarmB.id]);
    expect(subB.values.every((v) => v.alarmRaised.deviceId === camB.id)).toBe(true);
    expect(real(subB.values)[0]).toMatchObject({ channel: { name: 'B office CH1' }, device: { name: 'B office' } });
    expect(subA.values.every((v) => v.alarmRaised.deviceId === camA.id)).toBe(true);
    expect(real(subA.values).map((x) => x.id)).toEqual([alarmA.id]);
  });

  it('names in alarms follow renames of the device and the channel at once', async () => {
    const a = await f.tenant('alarms-rename');
    const cam = await createCamera(a.client, 'Gate cam');
    const channelId = cam.channels[0]!.id;
    const sub = await alarmSubscriber(a.client, a.client, channelId, 'rename');
    subs.push(sub);
    const raise = async (description: string) => {
      const { raiseAlarm } = await a.client.request(RaiseAlarmDocument, { input: { channelId, type: 'MOTION', level: 'INFO', status: 'PULSE', description } });
      await until(sub, (vs) => real(vs).some((x) => x.id === raiseAlarm.id), `never received "${description}"`);
      return real(sub.values).find((x) => x.id === raiseAlarm.id)!;
    };
    expect(await raise('before')).toMatchObject({ channel: { name: 'Gate cam CH1', device: { name: 'Gate cam' } }, device: { name: 'Gate cam' } });
    await a.client.request(UpdateDeviceDocument, { id: cam.id, input: { name: 'North gate cam' } });
    await a.client.request(UpdateChannelDocument, { id: channelId, input: { name: 'North gate lane 1' } });
    // the rename reaches events over the bus (evicting the names it remembered); alarms then carry the new names
    await waitFor(async () => {
      const got = await raise(`after ${randomUUID()}`);
      return got.channel?.name === 'North gate lane 1' && got.channel.device.name === 'North gate cam' && got.device?.name === 'North gate cam';
    }, 5_000, () => 'alarms never showed the new names');
  });

  it('streams deviceChanged CREATED/UPDATED/DELETED for the tenant\'s own devices only', async () => {
    const a = await f.tenant('changes-a');
    const b = await f.tenant('changes-b');
    const probeA = await createCamera(a.client, 'probe A');
    const probeB = await createCamera(b.client, 'probe B');
    const changes = async (client: ArgusClient, probe: Device, what: string) => {
      const sub = collect(client.subscribe(DeviceChangedDocument, {}));
      subs.push(sub);
      let n = 0;
      await untilLive(
        sub,
        async () => {
          const name = `${probe.name} ${++n}`;
          await client.request(UpdateDeviceDocument, { id: probe.id, input: { name } });
          return (v) => v.deviceChanged.deviceId === probe.id && v.deviceChanged.device?.name === name;
        },
        what,
      );
      return sub;
    };
    const subA = await changes(a.client, probeA, 'tenant A');
    const subB = await changes(b.client, probeB, 'tenant B');

    const cam = await createCamera(a.client, 'Parking cam');
    await a.client.request(UpdateDeviceDocument, { id: cam.id, input: { name: 'Parking cam west' } });
    await a.client.request(DeleteDeviceDocument, { id: cam.id });
    const of = (vs: { deviceChanged: Change }[], id: string) => vs.map((v) => v.deviceChanged).filter((c) => c.deviceId === id);
    await until(subA, (vs) => of(vs, cam.id).some((c) => c.kind === 'DELETED'), 'A never saw the device deleted');
    const seen = of(subA.values, cam.id);
    expect(seen.map((c) => c.kind)).toEqual(['CREATED', 'UPDATED', 'DELETED']);
    expect(seen[0]!.device?.id ?? cam.id).toBe(cam.id);
    expect(seen[2]).toMatchObject({ kind: 'DELETED', device: null, status: null });
    expect(seen.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);

    // B's own change arrives after A's on the same bus: B saw none of A's
    const other = await createCamera(b.client, 'B lobby');
    await until(subB, (vs) => of(vs, other.id).some((c) => c.kind === 'CREATED'), 'B never saw its own device');
    expect(of(subB.values, other.id)[0]).toMatchObject({ kind: 'CREATED', device: { id: other.id, name: 'B lobby', status: 'OFFLINE' }, status: 'OFFLINE' });
    const bIds = new Set(subB.values.map((v) => v.deviceChanged.deviceId));
    expect([...bIds].sort()).toEqual([probeB.id, other.id].sort());
    const aIds = new Set(subA.values.map((v) => v.deviceChanged.deviceId));
    expect([...aIds].sort()).toEqual([probeA.id, cam.id].sort());
  });

  it.runIf(mode === 'scale')('delivers an alarm a device driver publishes on NATS JetStream, and stores it', async () => {
    const t = await f.tenant('driver');
    const cam = await createCamera(t.client, 'Driver cam');
    const channelId = cam.channels[0]!.id;
    const sub = await alarmSubscriber(t.client, t.client, channelId, 'driver tenant');
    subs.push(sub);

    const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    const occurredAt = new Date(Date.now() - 2_000).toISOString();
    const description = `driver motion ${randomUUID().slice(0, 6)}`;
    try {
      const envelope = {
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        subject: 'alarm.raised',
        data: { tenantId: t.tenantId, deviceId: cam.id, channelId, type: 'MOTION', level: 'MAJOR', status: 'START', occurredAt, description },
        publishedAt: Date.now(),
      };
      const ack = await nc.jetstream().publish(`${f.argus.env.ARGUS_NATS_PREFIX}.alarm.raised`, JSONCodec().encode(envelope), { msgID: envelope.id });
      expect(ack.stream).toBe(f.argus.env.ARGUS_NATS_STREAM);
    } finally {
      await nc.drain();
    }

    await until(sub, (vs) => real(vs).some((x) => x.description === description), 'the driver alarm never reached the subscriber');
    const live = real(sub.values).find((x) => x.description === description)!;
    expect(live).toMatchObject({
      type: 'MOTION', level: 'MAJOR', status: 'START', state: 'NEW', deviceId: cam.id, channelId,
      channel: { id: channelId, name: 'Driver cam CH1', device: { id: cam.id, name: 'Driver cam' } },
      device: { id: cam.id, name: 'Driver cam' },
    });
    expect(Date.parse(live.occurredAt)).toBe(Date.parse(occurredAt));

    // the events subgraph stores it under the same id the subscriber saw
    let stored: Alarm | undefined;
    await waitFor(async () => {
      const { alarms } = await t.client.request(AlarmsDocument, { filter: { deviceId: cam.id, types: ['MOTION'] } });
      stored = alarms.edges.map((e) => e.node as Alarm).find((x) => x.description === description);
      return stored !== undefined;
    }, 10_000, () => 'the driver alarm was never stored');
    expect(stored).toMatchObject({ id: live.id, level: 'MAJOR', status: 'START', channelId });
  });

  it.runIf(mode === 'scale')('delivers an alarm raised through one gateway to a subscriber on another gateway', async () => {
    const t = await f.tenant('two-gateways');
    const cam = await createCamera(t.client, 'Second gateway cam');
    const otherUrl = await f.argus.startExtraGateway();
    expect(otherUrl).not.toBe(f.argus.gatewayUrl);
    const remote = createArgusClient({ url: otherUrl, token: t.token });
    f.clients.push(remote);
    // one HTTP request first: a fresh gateway serves no subscription before one (see the test below)
    await remote.request(ViewerDocument);
    // raised through the first gateway, watched through the second
    const sub = await alarmSubscriber(remote, t.client, cam.channels[0]!.id, 'second gateway');
    subs.push(sub);
    const { raiseAlarm } = await t.client.request(RaiseAlarmDocument, {
      input: { channelId: cam.channels[0]!.id, type: 'FACE', level: 'CRITICAL', status: 'PULSE', description: 'unknown face' },
    });
    await until(sub, (vs) => real(vs).some((x) => x.id === raiseAlarm.id), 'the second gateway never delivered the alarm');
    expect(real(sub.values).find((x) => x.id === raiseAlarm.id)).toMatchObject({
      type: 'FACE', channel: { name: 'Second gateway cam CH1', device: { name: 'Second gateway cam' } }, device: { name: 'Second gateway cam' },
    });
  });

  it.runIf(mode === 'scale')('serves graphql-ws subscriptions on a freshly started gateway before any HTTP request', async () => {
    const t = await f.tenant('fresh-gateway');
    const cam = await createCamera(t.client, 'Fresh gateway cam');
    const fresh = createArgusClient({ url: await f.argus.startExtraGateway(), token: t.token });
    f.clients.push(fresh);
    const sub = await alarmSubscriber(fresh, t.client, cam.channels[0]!.id, 'fresh gateway');
    subs.push(sub);
    expect(sub.values[0]!.alarmRaised).toMatchObject({ description: PROBE, channel: { name: 'Fresh gateway cam CH1' } });
  });
});
