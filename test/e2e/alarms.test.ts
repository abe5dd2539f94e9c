import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@argus/harness';
import {
  AcknowledgeAlarmDocument, AlarmDetailDocument, AlarmRaisedDetailedDocument, AlarmsDetailedDocument, AlarmsDocument,
  ClearAlarmDocument, CreateDeviceDocument, CreateGroupDocument, MoveDeviceDocument, RaiseAlarmDocument,
  type AlarmRaisedDetailedSubscription, type ArgusClient, type CreateDeviceMutation,
} from '@argus/client';
import { MODES, collect, startFixture, type Fixture } from './context.js';

type Device = CreateDeviceMutation['createDevice'];
type LiveAlarm = AlarmRaisedDetailedSubscription['alarmRaised'];

/** A small JPEG (SOI, JFIF APP0, some payload, EOI): the events service checks the magic bytes. */
const JPEG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010101004800480000', 'hex'),
  randomBytes(600),
  Buffer.from('ffd9', 'hex'),
]);
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300)]);

async function createCamera(client: ArgusClient, name: string): Promise<Device> {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name, protocol: 'ISAPI', deviceCode: `alm-${randomUUID().slice(0, 8)}`, channelCount: 1 },
  });
  return createDevice;
}

/** The HMAC key the gateway checks picture URLs with (config.deriveKey('blob-urls')). */
function blobKey(f: Fixture): Buffer {
  return Buffer.from(hkdfSync('sha256', f.argus.masterKey(), Buffer.alloc(0), 'argus:blob-urls', 32));
}

function forgeUrl(f: Fixture, key: string, exp: number, secret = blobKey(f)): string {
  const sig = createHmac('sha256', secret).update(`blob1|${key}|${exp}`).digest('base64url');
  return `http://127.0.0.1:${f.argus.ports.GATEWAY_PORT}/pictures/${key}?exp=${exp}&sig=${sig}`;
}

describe.each(MODES)('alarms (%s)', (mode) => {
  let f: Fixture;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await f?.close();
  });

  it('stores the pictures of an alarm and serves them under signed, expiring URLs', async () => {
    const t = await f.tenant('pictures');
    const cam = await createCamera(t.client, 'Lobby cam');
    const { raiseAlarm } = await t.client.request(RaiseAlarmDocument, {
      input: {
        channelId: cam.channels[0]!.id, type: 'INTRUSION', level: 'MAJOR', status: 'START', description: 'door forced',
        attributes: { zone: 'east', pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG.toString('base64'), name: 'door.jpg' }, { contentType: 'image/png', dataBase64: PNG.toString('base64') }] },
      },
    });
    expect(raiseAlarm.source).toBe('MANUAL');
    expect(raiseAlarm.attributes).toEqual({ zone: 'east' });

    const { alarm } = await t.client.request(AlarmDetailDocument, { id: raiseAlarm.id });
    expect(alarm!.pictures).toHaveLength(2);
    const [jpeg, png] = alarm!.pictures;
    expect(jpeg).toMatchObject({ contentType: 'image/jpeg', size: JPEG.length, name: 'door.jpg' });
    expect(png).toMatchObject({ contentType: 'image/png', size: PNG.length, name: null });
    expect(Date.parse(jpeg!.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(jpeg!.url.startsWith(`http://127.0.0.1:${f.argus.ports.GATEWAY_PORT}/pictures/`)).toBe(true);

    // no token needed: the signature is the authorisation
    const res = await fetch(jpeg!.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(JPEG)).toBe(true);
    const pngRes = await fetch(png!.url);
    expect(pngRes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await pngRes.arrayBuffer()).equals(PNG)).toBe(true);

    // tampered signature, missing signature, another key under the same signature: 403
    const url = new URL(jpeg!.url);
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect((await fetch(url)).status).toBe(403);
    url.searchParams.delete('sig');
    expect((await fetch(url)).status).toBe(403);
    const pngPath = new URL(png!.url).pathname;
    const swapped = new URL(jpeg!.url);
    swapped.pathname = pngPath;
    expect((await fetch(swapped)).status).toBe(403);
    const longer = new URL(jpeg!.url);
    longer.searchParams.set('exp', String(Number(longer.searchParams.get('exp')) + 3600));
    expect((await fetch(longer)).status).toBe(403);

    // genuine but expired: 410; genuine for a key that holds nothing: 404
    const key = decodeURIComponent(new URL(jpeg!.url).pathname.slice('/pictures/'.length));
    expect((await fetch(forgeUrl(f, key, Math.floor(Date.now() / 1000) - 5))).status).toBe(410);
    expect((await fetch(forgeUrl(f, key, Math.floor(Date.now() / 1000) + 60))).status).toBe(200);
    expect((await fetch(forgeUrl(f, key, Math.floor(Date.now() / 1000) + 60, randomBytes(32)))).status).toBe(403);
    expect((await fetch(forgeUrl(f, `alarms/${t.tenantId}/alm_nothing/0.jpg`, Math.floor(Date.now() / 1000) + 60))).status).toBe(404);

    // the URL lifetime is the caller's to choose, within bounds
    const short = await t.client.request(AlarmDetailDocument, { id: raiseAlarm.id, pictureTtl: 60 });
    expect(Date.parse(short.alarm!.pictures[0]!.expiresAt) - Date.now()).toBeLessThan(61_000);
    await expect(t.client.request(AlarmDetailDocument, { id: raiseAlarm.id, pictureTtl: 5 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });

    // a picture that is not JPEG/PNG base64 refuses the whole raiseAlarm, and nothing is stored
    const description = `bad picture ${randomUUID().slice(0, 6)}`;
    await expect(
      t.client.request(RaiseAlarmDocument, {
        input: { channelId: cam.channels[0]!.id, type: 'MOTION', level: 'MINOR', status: 'PULSE', description, attributes: { pictures: [{ contentType: 'image/jpeg', dataBase64: Buffer.from('GIF89a-not-a-jpeg').toString('base64') }] } },
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(
      t.client.request(RaiseAlarmDocument, {
        input: { channelId: cam.channels[0]!.id, type: 'MOTION', level: 'MINOR', status: 'PULSE', description, attributes: { pictures: [{ dataBase64: '%%% not base64 %%%' }] } },
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const { alarms } = await t.client.request(AlarmsDocument, { filter: { deviceId: cam.id } });
    expect(alarms.edges.map((e) => e.node.description)).not.toContain(description);

    // another tenant cannot read the alarm, but a URL is a bearer credential until it expires
    const other = await f.tenant('pictures-other');
    expect((await other.client.request(AlarmDetailDocument, { id: raiseAlarm.id })).alarm).toBeNull();
  });

  it('resolves typed attributes: face, vehicle, person count, temperature, environment', async () => {
    const t = await f.tenant('typed');
    const cam = await createCamera(t.client, 'Typed cam');
    const channelId = cam.channels[0]!.id;
    const raise = async (type: 'FACE' | 'PLATE' | 'PERSON_COUNT' | 'TEMPERATURE' | 'ENVIRONMENT', attributes: Record<string, unknown>) => {
      const { raiseAlarm } = await t.client.request(RaiseAlarmDocument, { input: { channelId, type, level: 'INFO', status: 'PULSE', description: type, attributes } });
      return (await t.client.request(AlarmDetailDocument, { id: raiseAlarm.id })).alarm!;
    };
    // tlv_report face record as the driver publishes it (describeTlvRecord field names)
    const face = await raise('FACE', { source: 'http-push', kind: 'tlv', head: 'META', target: 1, faceInfo: 1, faceGender: 2, faceAgeGroup: 3, faceMask: 1, faceGlass: 2, faceHat: 0, faceSimilarity: 8765, faceLiveness: 1, faceTemperature: 3650, objName: 'visitor' });
    expect(face.face).toEqual({
      gender: 'FEMALE', ageGroup: 'YOUTH', age: null, mask: true, glasses: 'SUNGLASSES', hat: false, beard: null, hair: null, expression: null,
      similarity: 87.65, liveness: true, temperature: 36.5, name: 'visitor', thumbnailPath: null,
    });
    expect(face.vehicle).toBeNull();
    // event_report extern of the face-attribute event (JSON field names, `age` is an age group)
    const faceJson = await raise('FACE', { source: 'http-push', kind: 'event', gender: 1, age: 4, mask: 0, expression: 1, hat: 1, bread: 1, hair: 2, glass: 1, thumbnail_file_path: '/dev/sda/20221013/A011173757.jpg' });
    expect(faceJson.face).toMatchObject({ gender: 'MALE', ageGroup: 'MIDDLE_AGED', age: null, mask: false, expression: 'smile', hat: true, beard: true, hair: 'short', glasses: 'GLASSES', thumbnailPath: '/dev/sda/20221013/A011173757.jpg' });
    // dual parking extern
    const plate = await raise('PLATE', { source: 'http-push', kind: 'event', parking_id: 0, parking_name: '', plate_no: '京J66666', plate_type: 2, plate_color: 1, vehicle_type: 1, vehicle_color: 4, vehicle_orient: 1, entry_type: 'blacklist' });
    expect(plate.vehicle).toEqual({ plateNumber: '京J66666', plateColor: 'blue', plateType: 'small vehicle', vehicleColor: 'grey', vehicleType: 'sedan', direction: 'front', parkingSpace: 'left', listType: 'blacklist' });
    expect(plate.face).toBeNull();
    const count = await raise('PERSON_COUNT', { source: 'http-push', kind: 'tlv', target: 5, customerCountIn: 12, customerCountOut: 5, customerPass: 40, customerCountKeep: 7 });
    expect(count.personCount).toEqual({ in: 12, out: 5, passing: 40, staying: 7, total: 17 });
    const temper = await raise('TEMPERATURE', { source: 'http-push', kind: 'temperature', temper_rect: [{ id: 0, name: 'rect 1', temper: 30.1, over_threshold: 100 }, { id: 1, name: 'rect 2', temper: 104.5, over_threshold: 100 }] });
    expect(temper.temperature).toMatchObject({ value: 104.5, unit: 'CELSIUS', threshold: 100, overThreshold: true });
    expect(temper.temperature!.regions).toHaveLength(2);
    const env = await raise('ENVIRONMENT', { source: 'http-push', kind: 'environment', deviceNo: '12221S37GCEU', data: { '@0': 21.5, '@1': 80, '@2': 0 }, alarm: { '@1': 1 } });
    expect(env.environment!.readings).toEqual([
      { name: '@0', value: 21.5, unit: null, alarm: null },
      { name: '@1', value: 80, unit: null, alarm: 'ABOVE_MAX' },
      { name: '@2', value: 0, unit: null, alarm: null },
    ]);
    expect(env.face).toBeNull();
    expect(env.temperature).toBeNull();
    expect(env.attributes).toMatchObject({ data: { '@1': 80 } });
  });

  it('acknowledges and clears alarms, refusing moves the state does not allow', async () => {
    const t = await f.tenant('handling');
    const cam = await createCamera(t.client, 'Handling cam');
    const raise = async () =>
      (await t.client.request(RaiseAlarmDocument, { input: { channelId: cam.channels[0]!.id, type: 'TAMPER', level: 'MAJOR', status: 'START', description: 'lens covered' } })).raiseAlarm;
    const a = await raise();
    expect(a.state).toBe('NEW');
    const { acknowledgeAlarm } = await t.client.request(AcknowledgeAlarmDocument, { id: a.id, note: 'guard on the way' });
    expect(acknowledgeAlarm).toMatchObject({ id: a.id, state: 'ACKNOWLEDGED' });
    await expect(t.client.request(AcknowledgeAlarmDocument, { id: a.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    const { clearAlarm } = await t.client.request(ClearAlarmDocument, { id: a.id });
    expect(clearAlarm).toMatchObject({ id: a.id, state: 'CLEARED' });
    await expect(t.client.request(ClearAlarmDocument, { id: a.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.client.request(AcknowledgeAlarmDocument, { id: a.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    const { alarm } = await t.client.request(AlarmDetailDocument, { id: a.id });
    expect(alarm).toMatchObject({ state: 'CLEARED', acknowledgeNote: 'guard on the way' });
    expect(alarm!.acknowledgedBy).toBeTruthy();
    expect(alarm!.clearedBy).toBe(alarm!.acknowledgedBy);

    // NEW → CLEARED directly
    const b = await raise();
    expect((await t.client.request(ClearAlarmDocument, { id: b.id })).clearAlarm.state).toBe('CLEARED');
    const { alarms } = await t.client.request(AlarmsDocument, { filter: { deviceId: cam.id, states: ['CLEARED'] } });
    expect(alarms.edges.map((e) => e.node.id).sort()).toEqual([a.id, b.id].sort());

    // unknown or another tenant's alarm
    const other = await f.tenant('handling-other');
    await expect(other.client.request(AcknowledgeAlarmDocument, { id: b.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.client.request(ClearAlarmDocument, { id: 'alm_unknown' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('filters alarms by device group, with or without its subgroups', async () => {
    const t = await f.tenant('groups');
    const { createGroup: site } = await t.client.request(CreateGroupDocument, { name: 'Site' });
    const { createGroup: floor } = await t.client.request(CreateGroupDocument, { name: 'Floor 1', parentId: site.id });
    const { createGroup: empty } = await t.client.request(CreateGroupDocument, { name: 'Empty', parentId: site.id });
    const gate = await createCamera(t.client, 'Gate');
    const hall = await createCamera(t.client, 'Hall');
    const loose = await createCamera(t.client, 'Loose');
    await t.client.request(MoveDeviceDocument, { deviceId: gate.id, groupId: site.id });
    await t.client.request(MoveDeviceDocument, { deviceId: hall.id, groupId: floor.id });
    const ids: Record<string, string> = {};
    for (const cam of [gate, hall, loose]) {
      const { raiseAlarm } = await t.client.request(RaiseAlarmDocument, { input: { channelId: cam.channels[0]!.id, type: 'MOTION', level: 'MINOR', status: 'PULSE', description: cam.name } });
      ids[cam.name] = raiseAlarm.id;
    }
    const list = async (filter: Record<string, unknown>) =>
      (await t.client.request(AlarmsDocument, { filter })).alarms.edges.map((e) => e.node.description).sort();
    expect(await list({ groupId: site.id })).toEqual(['Gate']);
    expect(await list({ groupId: site.id, includeSubgroups: true })).toEqual(['Gate', 'Hall']);
    expect(await list({ groupId: floor.id, includeSubgroups: true })).toEqual(['Hall']);
    expect(await list({ groupId: empty.id, includeSubgroups: true })).toEqual([]);
    expect(await list({ groupId: site.id, includeSubgroups: true, deviceId: hall.id })).toEqual(['Hall']);
    expect(await list({ groupId: site.id, includeSubgroups: true, deviceId: loose.id })).toEqual([]);
    expect(await list({ groupId: site.id, includeSubgroups: true, types: ['FIRE'] })).toEqual([]);
    expect(await list({})).toEqual(['Gate', 'Hall', 'Loose']);
    const counted = await t.client.request(AlarmsDetailedDocument, { filter: { groupId: site.id, includeSubgroups: true }, first: 1 });
    expect(counted.alarms.totalCount).toBe(2);
    expect(counted.alarms.pageInfo.hasNextPage).toBe(true);
    const next = await t.client.request(AlarmsDetailedDocument, { filter: { groupId: site.id, includeSubgroups: true }, first: 1, after: counted.alarms.pageInfo.endCursor });
    expect([counted.alarms.edges[0]!.node.id, next.alarms.edges[0]!.node.id].sort()).toEqual([ids.Gate, ids.Hall].sort());

    await expect(list({ groupId: 'grp_unknown' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(list({ includeSubgroups: true })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    // another tenant's group is as unknown as a missing one
    const other = await f.tenant('groups-other');
    await expect(other.client.request(AlarmsDocument, { filter: { groupId: site.id, includeSubgroups: true } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.runIf(mode === 'scale')('stores and streams a driver alarm from NATS: taxonomy, typed attributes, pictures', async () => {
    const { connect, JSONCodec } = await import('nats');
    const t = await f.tenant('driver-pictures');
    const cam = await createCamera(t.client, 'Parking cam');
    const channelId = cam.channels[0]!.id;
    const sub = collect(t.client.subscribe(AlarmRaisedDetailedDocument, { filter: { deviceId: cam.id } }));
    stops.push(() => sub.stop());
    const nc = await connect({ servers: f.argus.env.BUS_URL });
    const marker = randomUUID().slice(0, 8);
    const publish = async (data: Record<string, unknown>) => {
      const envelope = { id: `evt_${randomUUID().replace(/-/g, '')}`, subject: 'alarm.raised', data, publishedAt: Date.now() };
      await nc.jetstream().publish(`${f.argus.env.ARGUS_NATS_PREFIX}.alarm.raised`, JSONCodec().encode(envelope), { msgID: envelope.id });
    };
    const alarmUuid = `12421HHTCS/0/dual_parking_blacklist/2024-01-01 08:08:00/${marker}`;
    const driverAlarm = {
      tenantId: t.tenantId, deviceId: cam.id, channelId, type: 'dual_parking_blacklist', sourceCode: 'dual_parking_blacklist', status: 'START',
      occurredAt: new Date(Date.now() - 1000).toISOString(), description: `blacklisted ${marker}`, dedupeKey: `${alarmUuid}/START`,
      attributes: {
        source: 'http-push', kind: 'event', event: 1, channel_type: 0, typeName: 'blacklist',
        parking_id: 1, plate_no: '京J66666', plate_type: 2, plate_color: 1, vehicle_type: 1, vehicle_color: 4, vehicle_orient: 1, entry_type: 'blacklist',
        pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG.toString('base64') }, { contentType: 'image/jpeg', dataBase64: 'this is not base64!' }],
      },
    };
    try {
      // the live subscription is up once a probe alarm comes through
      const deadline = Date.now() + 20_000;
      for (;;) {
        const probe = `probe ${randomUUID().slice(0, 6)}`;
        await publish({ tenantId: t.tenantId, deviceId: cam.id, channelId, type: 'MOTION', description: probe });
        try {
          await waitFor(() => sub.values.some((v) => v.alarmRaised.description === probe), 750);
          break;
        } catch {
          if (sub.error) throw sub.error;
          if (Date.now() > deadline) throw new Error('subscription never live');
        }
      }
      await publish(driverAlarm);
      await publish(driverAlarm); // a redelivered report: same dedupeKey, stored once
    } finally {
      await nc.drain();
    }
    const expected = {
      type: 'PLATE', level: 'MAJOR', status: 'START', source: 'HTTP_PUSH', sourceCode: 'dual_parking_blacklist', deviceId: cam.id, channelId,
      vehicle: { plateNumber: '京J66666', plateColor: 'blue', plateType: 'small vehicle', vehicleColor: 'grey', vehicleType: 'sedan', direction: 'front', parkingSpace: 'right', listType: 'blacklist' },
      face: null,
    };
    let live: LiveAlarm | undefined;
    await waitFor(() => {
      if (sub.error) throw sub.error;
      live = sub.values.map((v) => v.alarmRaised).find((a) => a.description === driverAlarm.description);
      return live !== undefined;
    }, 15_000, () => 'the driver alarm never reached the subscriber');
    expect(live).toMatchObject({ ...expected, channel: { id: channelId, name: 'Parking cam CH1' }, device: { id: cam.id, name: 'Parking cam' } });
    expect(live!.pictures).toHaveLength(1); // the bad one dropped, the alarm kept
    expect(live!.attributes).not.toHaveProperty('pictures');

    let stored: { id: string; pictures: { url: string; contentType: string; size: number }[] } | undefined;
    await waitFor(async () => {
      const { alarms } = await t.client.request(AlarmsDetailedDocument, { filter: { deviceId: cam.id, types: ['PLATE'] } });
      const found = alarms.edges.map((e) => e.node).filter((a) => a.description === driverAlarm.description);
      if (found.length) {
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject(expected);
        stored = found[0];
      }
      return stored !== undefined;
    }, 15_000, () => 'the driver alarm was never stored');
    expect(stored!.id).toBe(live!.id);
    expect(stored!.pictures).toMatchObject([{ contentType: 'image/jpeg', size: JPEG.length }]);
    // the live URL and the stored one both serve the same bytes (events shares the blob directory with the gateway)
    for (const url of [live!.pictures[0]!.url, stored!.pictures[0]!.url]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await res.arrayBuffer()).equals(JPEG)).toBe(true);
    }
    await waitFor(() => sub.values.filter((v) => v.alarmRaised.description === driverAlarm.description).length >= 1, 2_000);
    expect(sub.values.filter((v) => v.alarmRaised.description === driverAlarm.description)).toHaveLength(1);
  });
});
