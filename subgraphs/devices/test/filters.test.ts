import { describe, expect, it } from 'vitest';
import { RawQueryFragment } from '@mikro-orm/core';
import { buildChannelWhere, buildDeviceWhere, containsPattern, deviceSortSpec, escapeLike, prefixPattern } from '../src/filters.js';
import { ChannelKind, ChannelStatus, DeviceOrderField, DeviceProtocol, DeviceStatus, OrderDirection } from '../src/model.js';

/** The SQL and parameters behind a raw where key. */
function rawOf(where: Record<string, unknown>) {
  const key = Object.keys(where)[0]!;
  const fragment = RawQueryFragment.getKnownFragment(key, false);
  expect(fragment).toBeDefined();
  return { sql: fragment!.sql.replace(/\[::alias::\]/g, 'e0'), params: fragment!.params };
}

describe('LIKE patterns', () => {
  it('escape wildcards and the escape character', () => {
    expect(escapeLike('50%_off!')).toBe('50!%!_off!!');
    expect(containsPattern('Lobby_CAM')).toBe('%lobby!_cam%');
    expect(prefixPattern('/grp_a/')).toBe('/grp!_a/%');
  });
});

describe('buildDeviceWhere', () => {
  it('always scopes to the tenant', () => {
    expect(buildDeviceWhere('ten_a')).toEqual({ tenantId: 'ten_a' });
    expect(buildDeviceWhere('ten_a', {})).toEqual({ tenantId: 'ten_a' });
    expect(buildDeviceWhere('ten_a', { search: '   ', vendor: ' ' })).toEqual({ tenantId: 'ten_a' });
  });

  it('turns conditions into where entries', () => {
    expect(buildDeviceWhere('ten_a', { status: DeviceStatus.ONLINE, protocol: DeviceProtocol.GB28181, vendor: ' Hikvision ', groupId: 'grp_1' })).toEqual({
      tenantId: 'ten_a', status: 'ONLINE', protocol: 'GB28181', vendor: 'Hikvision', groupId: 'grp_1',
    });
  });

  it('uses the resolved subtree for includeSubgroups', () => {
    expect(buildDeviceWhere('ten_a', { groupId: 'grp_1', includeSubgroups: true }, ['grp_1', 'grp_2'])).toEqual({
      tenantId: 'ten_a', groupId: { $in: ['grp_1', 'grp_2'] },
    });
    expect(buildDeviceWhere('ten_a', { groupId: 'grp_1', includeSubgroups: false }, ['grp_1', 'grp_2'])).toEqual({ tenantId: 'ten_a', groupId: 'grp_1' });
  });

  it('searches name and device code case-insensitively, wildcards literal', () => {
    const where = buildDeviceWhere('ten_a', { search: ' Gate_1 ' }) as { tenantId: string; $and: Array<{ $or: Array<Record<string, unknown>> }> };
    expect(where.tenantId).toBe('ten_a');
    const [name, code] = where.$and[0]!.$or.map(rawOf);
    expect(name).toEqual({ sql: "lower(e0.name) like ? escape '!'", params: ['%gate!_1%'] });
    expect(code).toEqual({ sql: "lower(e0.device_code) like ? escape '!'", params: ['%gate!_1%'] });
  });

  it('refuses an overlong search', () => {
    expect(() => buildDeviceWhere('ten_a', { search: 'x'.repeat(129) })).toThrow(/filter.search/);
  });
});

describe('buildChannelWhere', () => {
  it('filters channels of the tenant', () => {
    expect(buildChannelWhere('ten_a', { deviceId: 'dev_1', kind: ChannelKind.VIDEO, status: ChannelStatus.OFFLINE })).toEqual({
      tenantId: 'ten_a', deviceId: 'dev_1', kind: 'VIDEO', status: 'OFFLINE',
    });
    const where = buildChannelWhere('ten_a', { search: 'Door' }) as { $and: Array<Record<string, unknown>> };
    expect(rawOf(where.$and[0]!)).toEqual({ sql: "lower(e0.name) like ? escape '!'", params: ['%door%'] });
  });
});

describe('deviceSortSpec', () => {
  it('defaults to NAME ASC and always ends with the id', () => {
    expect(deviceSortSpec()).toEqual({ keys: [{ field: 'name', type: 'string' }, { field: 'id', type: 'string' }], direction: 'ASC' });
    expect(deviceSortSpec({ field: DeviceOrderField.LAST_SEEN_AT, direction: OrderDirection.DESC })).toEqual({
      keys: [{ field: 'lastSeenAt', type: 'date', nullable: true }, { field: 'id', type: 'string' }],
      direction: 'DESC',
    });
    expect(deviceSortSpec({ field: DeviceOrderField.STATUS }).keys[0]!.field).toBe('status');
    expect(deviceSortSpec({ field: DeviceOrderField.CREATED_AT }).keys[0]!.type).toBe('date');
  });
});
