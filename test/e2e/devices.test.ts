import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  ArgusClientError,
  CreateDeviceDocument, UpdateDeviceDocument, DeleteDeviceDocument, MoveDeviceDocument,
  DeviceDocument, DevicesDocument, ChannelDocument, ChannelsDocument,
  CreateGroupDocument, MoveGroupDocument, DeleteGroupDocument, GroupDocument, GroupsDocument,
  type ArgusClient, type CreateDeviceInput, type DeviceProtocol, type DevicesQueryVariables,
} from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';

let seq = 0;
/** A device input with a unique code; override anything. */
function deviceInput(name: string, extra: Partial<CreateDeviceInput> = {}): CreateDeviceInput {
  return { name, protocol: 'ISAPI', deviceCode: `code-${Date.now().toString(36)}-${++seq}`, ...extra };
}

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

async function totalDevices(client: ArgusClient): Promise<number> {
  return (await client.request(DevicesDocument, { first: 1 })).devices.totalCount;
}

async function namesOf(client: ArgusClient, vars: DevicesQueryVariables = {}): Promise<string[]> {
  const { devices } = await client.request(DevicesDocument, { first: 500, ...vars });
  return devices.edges.map((e) => e.node.name);
}

async function rawGraphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe.each(MODES)('devices, channels and groups (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => f?.close());

  it('creates devices with channelCount and with explicit channels, and reads them back', async () => {
    const { client } = await f.tenant('crud');
    const { createDevice: nvr } = await client.request(CreateDeviceDocument, {
      input: deviceInput('Lobby NVR', { channelCount: 3, vendor: 'hikvision', address: '10.0.0.5:8000', username: 'admin' }),
    });
    expect(nvr.channels.map((c) => [c.index, c.name, c.kind, c.ptzCapable])).toEqual([
      [1, 'Lobby NVR CH1', 'VIDEO', false],
      [2, 'Lobby NVR CH2', 'VIDEO', false],
      [3, 'Lobby NVR CH3', 'VIDEO', false],
    ]);
    expect(nvr.channels.every((c) => c.deviceId === nvr.id)).toBe(true);
    expect(nvr).toMatchObject({ vendor: 'hikvision', address: '10.0.0.5:8000', username: 'admin', hasPassword: false, groupId: null });

    const { createDevice: cam } = await client.request(CreateDeviceDocument, {
      input: deviceInput('Gate cam', {
        protocol: 'GB28181',
        channels: [
          { index: 2, name: 'Gate mic', kind: 'AUDIO' },
          { index: 1, name: 'Gate PTZ', ptzCapable: true },
          { index: 7 },
        ],
      }),
    });
    expect(cam.protocol).toBe('GB28181');
    expect(cam.channels.map((c) => [c.index, c.name, c.kind, c.ptzCapable])).toEqual([
      [1, 'Gate PTZ', 'VIDEO', true],
      [2, 'Gate mic', 'AUDIO', false],
      [7, 'Gate cam CH7', 'VIDEO', false],
    ]);

    const { device } = await client.request(DeviceDocument, { id: cam.id });
    expect(device).toMatchObject({ id: cam.id, name: 'Gate cam', deviceCode: cam.deviceCode, group: null });
    expect(device!.channels.map((c) => c.id)).toEqual(cam.channels.map((c) => c.id));
    const { channel } = await client.request(ChannelDocument, { id: cam.channels[1]!.id });
    expect(channel).toMatchObject({ name: 'Gate mic', kind: 'AUDIO', device: { id: cam.id, name: 'Gate cam' } });
    const { channels } = await client.request(ChannelsDocument, { filter: { deviceId: nvr.id } });
    expect(channels.totalCount).toBe(3);
  });

  it('never returns the password, flips hasPassword, and applies partial updates', async () => {
    const t = await f.tenant('pwd');
    const { createDevice: d } = await t.client.request(CreateDeviceDocument, {
      input: deviceInput('Door cam', { username: 'root', password: 'hunter2-secret', model: 'DS-2CD', firmware: 'v5.1' }),
    });
    expect(d.hasPassword).toBe(true);
    expect(JSON.stringify(d)).not.toContain('hunter2-secret');
    // there is no field to read it with
    const probe = await rawGraphql(f.argus.gatewayUrl, t.token, 'query($id: ID!) { device(id: $id) { password } }', { id: d.id });
    expect(probe.body.data ?? null).toBeNull();
    expect(probe.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const { updateDevice: renamed } = await t.client.request(UpdateDeviceDocument, { id: d.id, input: { name: 'Front door cam', firmware: null } });
    expect(renamed).toMatchObject({ name: 'Front door cam', firmware: null, model: 'DS-2CD', username: 'root', hasPassword: true, deviceCode: d.deviceCode });
    expect(new Date(renamed.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(d.updatedAt).getTime());

    const { updateDevice: cleared } = await t.client.request(UpdateDeviceDocument, { id: d.id, input: { password: null } });
    expect(cleared.hasPassword).toBe(false);
    const { updateDevice: again } = await t.client.request(UpdateDeviceDocument, { id: d.id, input: { password: 'n3w-pass' } });
    expect(again.hasPassword).toBe(true);
    expect(JSON.stringify(again)).not.toContain('n3w-pass');
    const { device } = await t.client.request(DeviceDocument, { id: d.id });
    expect(device).toMatchObject({ name: 'Front door cam', firmware: null, hasPassword: true });
  });

  it('deletes a device with its channels', async () => {
    const { client } = await f.tenant('delete');
    const { createDevice: d } = await client.request(CreateDeviceDocument, { input: deviceInput('Doomed', { channelCount: 2 }) });
    const { createDevice: keep } = await client.request(CreateDeviceDocument, { input: deviceInput('Kept', { channelCount: 1 }) });
    expect((await client.request(DeleteDeviceDocument, { id: d.id })).deleteDevice).toBe(d.id);
    expect((await client.request(DeviceDocument, { id: d.id })).device).toBeNull();
    for (const c of d.channels) expect((await client.request(ChannelDocument, { id: c.id })).channel).toBeNull();
    const { channels } = await client.request(ChannelsDocument, {});
    expect(channels.edges.map((e) => e.node.id)).toEqual([keep.channels[0]!.id]);
    expect((await client.request(DevicesDocument, {})).devices.edges.map((e) => e.node.id)).toEqual([keep.id]);
    expect((await errorOf(client.request(DeleteDeviceDocument, { id: d.id }))).code).toBe('NOT_FOUND');
  });

  it('builds a group tree, finds devices of a subtree, moves groups and refuses cycles and non-empty deletes', async () => {
    const { client } = await f.tenant('groups');
    const group = async (name: string, parentId?: string) => (await client.request(CreateGroupDocument, { name, parentId })).createGroup;
    const site = await group('Site');
    const building = await group('Building A', site.id);
    const floor = await group('Floor 1', building.id);
    const other = await group('Other site');
    expect(site.path).toBe(`/${site.id}/`);
    expect(building).toMatchObject({ parentId: site.id, path: `/${site.id}/${building.id}/` });
    expect(floor.path).toBe(`/${site.id}/${building.id}/${floor.id}/`);

    const dev = async (name: string, groupId?: string) => (await client.request(CreateDeviceDocument, { input: deviceInput(name, { groupId }) })).createDevice;
    const inFloor = await dev('in-floor', floor.id);
    const inBuilding = await dev('in-building');
    const inSite = await dev('in-site', site.id);
    const inOther = await dev('in-other', other.id);
    await dev('ungrouped');
    const { moveDevice } = await client.request(MoveDeviceDocument, { deviceId: inBuilding.id, groupId: building.id });
    expect(moveDevice).toMatchObject({ groupId: building.id, group: { id: building.id, name: 'Building A', path: building.path } });
    expect(inFloor.groupId).toBe(floor.id);

    const subtree = (groupId: string) => namesOf(client, { filter: { groupId, includeSubgroups: true } });
    expect(await subtree(site.id)).toEqual(['in-building', 'in-floor', 'in-site']);
    expect(await namesOf(client, { filter: { groupId: site.id } })).toEqual(['in-site']);
    expect(await subtree(building.id)).toEqual(['in-building', 'in-floor']);
    const { group: g } = await client.request(GroupDocument, { id: site.id, includeSubgroups: true, first: 10 });
    expect(g!.devices.totalCount).toBe(3);

    // the whole Building A branch moves under Other site: paths below it are rewritten
    const { moveGroup } = await client.request(MoveGroupDocument, { id: building.id, newParentId: other.id });
    expect(moveGroup).toMatchObject({ parentId: other.id, path: `/${other.id}/${building.id}/` });
    const { group: movedFloor } = await client.request(GroupDocument, { id: floor.id });
    expect(movedFloor).toMatchObject({ path: `/${other.id}/${building.id}/${floor.id}/`, parent: { id: building.id } });
    expect(await subtree(other.id)).toEqual(['in-building', 'in-floor', 'in-other']);
    expect(await subtree(site.id)).toEqual(['in-site']);
    const { groups } = await client.request(GroupsDocument);
    expect(groups.map((x) => x.name)).toEqual(['Other site', 'Site']);
    expect(groups[0]!.children.map((x) => x.id)).toEqual([building.id]);
    expect(groups[0]!.children[0]!.children).toEqual([{ id: floor.id, name: 'Floor 1', path: `/${other.id}/${building.id}/${floor.id}/` }]);

    // under its own descendant, or itself: refused, nothing moves
    const cycle = await errorOf(client.request(MoveGroupDocument, { id: other.id, newParentId: floor.id }));
    expect(cycle.code).toBe('BAD_USER_INPUT');
    expect(cycle.errors[0]!.extensions?.field).toBe('newParentId');
    expect((await errorOf(client.request(MoveGroupDocument, { id: building.id, newParentId: building.id }))).code).toBe('BAD_USER_INPUT');
    expect((await client.request(GroupDocument, { id: other.id })).group).toMatchObject({ path: `/${other.id}/`, parent: null });
    expect((await client.request(GroupDocument, { id: floor.id })).group!.path).toBe(`/${other.id}/${building.id}/${floor.id}/`);

    // a group holding devices (or subgroups) stays
    const busy = await errorOf(client.request(DeleteGroupDocument, { id: floor.id }));
    expect(busy.code).toBe('CONFLICT');
    expect(busy.message).toMatch(/device/);
    expect((await errorOf(client.request(DeleteGroupDocument, { id: building.id }))).code).toBe('CONFLICT');
    expect((await client.request(GroupDocument, { id: floor.id })).group).not.toBeNull();
    await client.request(MoveDeviceDocument, { deviceId: inFloor.id, groupId: null });
    expect((await client.request(DeleteGroupDocument, { id: floor.id })).deleteGroup).toBe(floor.id);
    expect((await client.request(GroupDocument, { id: floor.id })).group).toBeNull();
    expect((await client.request(DeviceDocument, { id: inFloor.id })).device).toMatchObject({ groupId: null, group: null });
    expect(inOther.groupId).toBe(other.id);
  });

  it('filters, orders and pages the device connection', async () => {
    const { client } = await f.tenant('paging');
    const names = ['Cam 04', 'Cam 01', 'cam 07', 'Cam 03', 'Cam 06', 'Cam 02', 'Cam 05'];
    const protocols: DeviceProtocol[] = ['RTSP', 'ISAPI', 'RTSP', 'GB28181', 'ISAPI', 'RTSP', 'ISAPI'];
    for (const [i, name] of names.entries()) {
      await client.request(CreateDeviceDocument, { input: deviceInput(name, { protocol: protocols[i]!, deviceCode: `SN-${i}${name.endsWith('6') ? '-special' : ''}` }) });
    }
    const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    expect(await namesOf(client, { filter: { protocol: 'RTSP' } })).toEqual(['Cam 02', 'Cam 04', 'cam 07']);
    expect(await namesOf(client, { filter: { protocol: 'GB28181' } })).toEqual(['Cam 03']);
    // new devices are OFFLINE until the access plane reports them
    expect((await client.request(DevicesDocument, { filter: { status: 'OFFLINE' } })).devices.totalCount).toBe(7);
    expect((await client.request(DevicesDocument, { filter: { status: 'ONLINE' } })).devices.totalCount).toBe(0);
    // search: case-insensitive, in the name or the device code
    expect(await namesOf(client, { filter: { search: 'CAM 0' } })).toHaveLength(7);
    expect(await namesOf(client, { filter: { search: '07' } })).toEqual(['cam 07']);
    expect(await namesOf(client, { filter: { search: 'SPECIAL' } })).toEqual(['Cam 06']);
    expect(await namesOf(client, { filter: { search: '%' } })).toEqual([]);
    expect(await namesOf(client, { filter: { search: 'cam', protocol: 'ISAPI' } })).toEqual(['Cam 01', 'Cam 05', 'Cam 06']);

    const asc = await namesOf(client, { orderBy: { field: 'NAME', direction: 'ASC' } });
    const desc = await namesOf(client, { orderBy: { field: 'NAME', direction: 'DESC' } });
    expect(asc.map((n) => n.toLowerCase())).toEqual(sorted.map((n) => n.toLowerCase()));
    expect(desc).toEqual([...asc].reverse());

    // forward: pages of 3 over 7
    const forward: string[] = [];
    const hasNext: boolean[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 5; page++) {
      const { devices } = await client.request(DevicesDocument, { first: 3, after });
      expect(devices.totalCount).toBe(7);
      expect(devices.pageInfo.hasPreviousPage).toBe(page > 0);
      forward.push(...devices.edges.map((e) => e.node.name));
      hasNext.push(devices.pageInfo.hasNextPage);
      expect(devices.pageInfo.endCursor).toBe(devices.edges.at(-1)?.cursor);
      if (!devices.pageInfo.hasNextPage) break;
      after = devices.pageInfo.endCursor;
    }
    expect(hasNext).toEqual([true, true, false]);
    expect(forward).toEqual(asc);
    expect(new Set(forward).size).toBe(7);

    // backward: last 3 before the start cursor
    const backward: string[][] = [];
    const hasPrev: boolean[] = [];
    let before: string | null | undefined;
    for (let page = 0; page < 5; page++) {
      const { devices } = await client.request(DevicesDocument, { last: 3, before });
      expect(devices.totalCount).toBe(7);
      backward.unshift(devices.edges.map((e) => e.node.name));
      hasPrev.push(devices.pageInfo.hasPreviousPage);
      expect(devices.pageInfo.hasNextPage).toBe(page > 0);
      if (!devices.pageInfo.hasPreviousPage) break;
      before = devices.pageInfo.startCursor;
    }
    expect(hasPrev).toEqual([true, true, false]);
    expect(backward.map((p) => p.length)).toEqual([1, 3, 3]);
    expect(backward.flat()).toEqual(asc);

    // a cursor of one ordering is refused by another
    const { devices: p1 } = await client.request(DevicesDocument, { first: 3 });
    const wrong = await errorOf(client.request(DevicesDocument, { first: 3, after: p1.pageInfo.endCursor, orderBy: { field: 'CREATED_AT' } }));
    expect(wrong.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad input with precise errors and writes nothing', async () => {
    const t = await f.tenant('bad');
    const { client } = t;
    const { createDevice: existing } = await client.request(CreateDeviceDocument, { input: deviceInput('Original', { deviceCode: 'DUP-1', channelCount: 1 }) });
    const before = await totalDevices(client);

    const empty = await errorOf(client.request(CreateDeviceDocument, { input: deviceInput('   ', { channelCount: 2 }) }));
    expect(empty.code).toBe('BAD_USER_INPUT');
    expect(empty.errors[0]!.extensions?.field).toBe('name');

    // an unknown enum value never reaches the subgraph: GraphQL validation refuses the document
    const literal = await rawGraphql(
      f.argus.gatewayUrl, t.token,
      'mutation { createDevice(input: { name: "x", protocol: TELNET, deviceCode: "tel-1" }) { id } }',
    );
    expect(literal.body.data ?? null).toBeNull();
    expect(literal.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await errorOf(client.request(CreateDeviceDocument, { input: deviceInput('x', { protocol: 'TELNET' as DeviceProtocol }) }));
    // as a variable it fails variable coercion (HTTP 400, message naming the field); the gateway sets no code there
    expect(variable.status).toBe(400);
    expect(variable.message).toMatch(/input\.protocol.*TELNET|TELNET.*DeviceProtocol/);

    const dup = await errorOf(client.request(CreateDeviceDocument, { input: deviceInput('Copy', { deviceCode: 'DUP-1', channelCount: 4 }) }));
    expect(dup.code).toBe('CONFLICT');
    expect(dup.errors[0]!.extensions?.field).toBe('deviceCode');
    expect(dup.message).toContain('DUP-1');

    const { createDevice: second } = await client.request(CreateDeviceDocument, { input: deviceInput('Second', { deviceCode: 'DUP-2' }) });
    const dupUpdate = await errorOf(client.request(UpdateDeviceDocument, { id: second.id, input: { deviceCode: 'DUP-1', name: 'Renamed' } }));
    expect(dupUpdate.code).toBe('CONFLICT');
    expect(dupUpdate.errors[0]!.extensions?.field).toBe('deviceCode');
    expect((await client.request(DeviceDocument, { id: second.id })).device).toMatchObject({ name: 'Second', deviceCode: 'DUP-2' });

    const badChannels = await errorOf(client.request(CreateDeviceDocument, { input: deviceInput('Dup channels', { channels: [{ index: 1 }, { index: 1 }] }) }));
    expect(badChannels.code).toBe('BAD_USER_INPUT');
    expect(badChannels.errors[0]!.extensions?.field).toBe('channels[1].index');

    const zero = await errorOf(client.request(DevicesDocument, { first: 0 }));
    expect(zero.code).toBe('BAD_USER_INPUT');
    expect(zero.errors[0]!.extensions?.field).toBe('first');

    expect(await totalDevices(client)).toBe(before + 1);
    const { channels } = await client.request(ChannelsDocument, {});
    expect(channels.edges.map((e) => e.node.id)).toEqual(existing.channels.map((c) => c.id));
    expect((await client.request(DevicesDocument, { filter: { search: 'DUP-1' } })).devices.edges.map((e) => e.node.name)).toEqual(['Original']);
  });

  it('keeps tenants apart: another tenant can neither see, change nor delete a device', async () => {
    const a: TenantFixture = await f.tenant('iso-a');
    const b: TenantFixture = await f.tenant('iso-b');
    const { createDevice: mine } = await a.client.request(CreateDeviceDocument, { input: deviceInput('A private cam', { channelCount: 1, password: 'a-secret' }) });
    await b.client.request(CreateDeviceDocument, { input: deviceInput('B cam', { deviceCode: mine.deviceCode }) }); // codes are per tenant
    const { device: snapshot } = await a.client.request(DeviceDocument, { id: mine.id });

    expect((await b.client.request(DeviceDocument, { id: mine.id })).device).toBeNull();
    expect((await b.client.request(ChannelDocument, { id: mine.channels[0]!.id })).channel).toBeNull();
    const { devices } = await b.client.request(DevicesDocument, { first: 500 });
    expect(devices.totalCount).toBe(1);
    expect(devices.edges.map((e) => e.node.name)).toEqual(['B cam']);
    expect((await b.client.request(DevicesDocument, { filter: { search: 'private' } })).devices.totalCount).toBe(0);
    expect((await b.client.request(ChannelsDocument, {})).channels.totalCount).toBe(0);

    const upd = await errorOf(b.client.request(UpdateDeviceDocument, { id: mine.id, input: { name: 'pwned', password: null } }));
    expect(upd.code).toBe('NOT_FOUND');
    expect((await errorOf(b.client.request(DeleteDeviceDocument, { id: mine.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(b.client.request(MoveDeviceDocument, { deviceId: mine.id, groupId: null }))).code).toBe('NOT_FOUND');
    const { createGroup: bGroup } = await b.client.request(CreateGroupDocument, { name: 'B group' });
    expect((await errorOf(a.client.request(MoveDeviceDocument, { deviceId: mine.id, groupId: bGroup.id }))).code).toBe('NOT_FOUND');

    const { device: after } = await a.client.request(DeviceDocument, { id: mine.id });
    expect(after).toEqual(snapshot);
    expect(after).toMatchObject({ name: 'A private cam', hasPassword: true, groupId: null });
  });
});
