import { describe, expect, it } from 'vitest';
import { buildAlarmWhere, matchesAlarmSubscription } from '../src/alarm-filter.js';
import { AlarmLevel, AlarmState, AlarmStatus, AlarmType } from '../src/alarm-model.js';

describe('buildAlarmWhere', () => {
  it('always scopes to the tenant, even with no filter', () => {
    expect(buildAlarmWhere('ten_a')).toEqual({ tenantId: 'ten_a' });
    expect(buildAlarmWhere('ten_a', null)).toEqual({ tenantId: 'ten_a' });
    expect(buildAlarmWhere('ten_a', {})).toEqual({ tenantId: 'ten_a' });
  });

  it('turns every condition into a where clause', () => {
    const from = new Date('2024-01-01T00:00:00Z');
    const to = new Date('2024-02-01T00:00:00Z');
    expect(
      buildAlarmWhere('ten_a', {
        from, to, deviceId: 'dev_1', channelId: 'chn_1',
        types: [AlarmType.MOTION, AlarmType.FACE], levels: [AlarmLevel.MAJOR, AlarmLevel.CRITICAL],
        states: [AlarmState.NEW], status: AlarmStatus.START,
      }),
    ).toEqual({
      tenantId: 'ten_a',
      deviceId: 'dev_1',
      channelId: 'chn_1',
      occurredAt: { $gte: from, $lt: to },
      type: { $in: ['MOTION', 'FACE'] },
      level: { $in: [3, 4] },
      state: 'NEW',
      status: 'START',
    });
  });

  it('uses a single value for one-element lists, dedupes, and ignores empty lists', () => {
    expect(buildAlarmWhere('t', { types: [AlarmType.TAMPER, AlarmType.TAMPER], levels: [], states: null })).toEqual({ tenantId: 't', type: 'TAMPER' });
  });

  it('accepts an open-ended window', () => {
    const from = new Date('2024-01-01T00:00:00Z');
    expect(buildAlarmWhere('t', { from })).toEqual({ tenantId: 't', occurredAt: { $gte: from } });
    expect(buildAlarmWhere('t', { to: from })).toEqual({ tenantId: 't', occurredAt: { $lt: from } });
  });

  it('refuses a window whose end is not after its start, naming the field', () => {
    const d = new Date('2024-01-01T00:00:00Z');
    expect(() => buildAlarmWhere('t', { from: d, to: d })).toThrowError(/filter\.to: must be after filter\.from/);
    try {
      buildAlarmWhere('t', { from: d, to: new Date(d.getTime() - 1) });
    } catch (e: any) {
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    }
  });

  it('refuses invalid dates', () => {
    expect(() => buildAlarmWhere('t', { from: new Date('nope') })).toThrowError(/filter\.from/);
  });

  it('ANDs a channel scope (Channel.alarms) with the filter channel', () => {
    expect(buildAlarmWhere('t', {}, { channelId: 'chn_1' })).toEqual({ tenantId: 't', channelId: 'chn_1' });
    expect(buildAlarmWhere('t', { channelId: 'chn_1' }, { channelId: 'chn_1' })).toEqual({ tenantId: 't', channelId: 'chn_1' });
    // a different channel in the filter can match nothing, and must not widen the scope
    expect(buildAlarmWhere('t', { channelId: 'chn_2' }, { channelId: 'chn_1' })).toEqual({
      tenantId: 't', channelId: 'chn_1', $and: [{ channelId: 'chn_2' }],
    });
  });
});

describe('matchesAlarmSubscription', () => {
  const alarm = { tenantId: 't1', deviceId: 'dev_1', channelId: 'chn_1', type: AlarmType.MOTION, level: AlarmLevel.MAJOR };

  it('never crosses tenants', () => {
    expect(matchesAlarmSubscription(alarm, 't1')).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't2')).toBe(false);
    expect(matchesAlarmSubscription(alarm, 't2', {})).toBe(false);
  });

  it('applies device, channel, types and minLevel', () => {
    expect(matchesAlarmSubscription(alarm, 't1', { deviceId: 'dev_1', channelId: 'chn_1' })).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't1', { deviceId: 'dev_2' })).toBe(false);
    expect(matchesAlarmSubscription(alarm, 't1', { channelId: 'chn_2' })).toBe(false);
    expect(matchesAlarmSubscription({ ...alarm, channelId: null }, 't1', { channelId: 'chn_1' })).toBe(false);
    expect(matchesAlarmSubscription(alarm, 't1', { types: [AlarmType.FACE, AlarmType.MOTION] })).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't1', { types: [AlarmType.FACE] })).toBe(false);
    expect(matchesAlarmSubscription(alarm, 't1', { types: [] })).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't1', { minLevel: AlarmLevel.MAJOR })).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't1', { minLevel: AlarmLevel.INFO })).toBe(true);
    expect(matchesAlarmSubscription(alarm, 't1', { minLevel: AlarmLevel.CRITICAL })).toBe(false);
  });
});
