import { describe, expect, it } from 'vitest';
import {
  alarmFromEvent, alarmRaisedEventOf, checkRaiseAlarmInput, derivedAlarmId, normalizeDedupeKey,
  parseAlarmLevel, parseAlarmStatus,
} from '../src/alarm-event.js';
import { AlarmLevel, AlarmState, AlarmStatus, AlarmType } from '../src/alarm-model.js';

const event = { id: 'evt_1', publishedAt: Date.parse('2024-05-01T10:00:00Z') };

describe('alarmFromEvent (alarm.raised payloads from drivers)', () => {
  it('normalises a driver payload and derives a stable id from tenant + dedupeKey', () => {
    const r = alarmFromEvent(
      {
        tenantId: 'ten_a', deviceId: 'dev_1', channelId: 'chn_1', type: 'INTRUSION', level: 'MAJOR', status: 'start',
        occurredAt: '2024-05-01T09:59:58Z', sourceCode: 'ebike_detection', dedupeKey: '12421HHTCS/1/ebike_detection/2021-07-16 00:00:00/1',
        attributes: { plate: 'ABC' }, description: 'e-bike in the lift',
      },
      event,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alarm).toMatchObject({
      tenantId: 'ten_a', deviceId: 'dev_1', channelId: 'chn_1', type: AlarmType.INTRUSION, level: AlarmLevel.MAJOR,
      status: AlarmStatus.START, state: AlarmState.NEW, sourceCode: 'ebike_detection', description: 'e-bike in the lift',
      attributes: '{"plate":"ABC"}', occurredAt: new Date('2024-05-01T09:59:58Z'), receivedAt: new Date(event.publishedAt),
    });
    expect(r.alarm.id).toMatch(/^alm_[0-9a-z]{26}$/);
    const again = alarmFromEvent({ tenantId: 'ten_a', deviceId: 'dev_1', type: 'MOTION', dedupeKey: r.alarm.dedupeKey }, { id: 'evt_2', publishedAt: 0 });
    expect(again.ok && again.alarm.id).toBe(r.alarm.id);
    const otherTenant = alarmFromEvent({ tenantId: 'ten_b', deviceId: 'dev_1', type: 'MOTION', dedupeKey: r.alarm.dedupeKey }, event);
    expect(otherTenant.ok && otherTenant.alarm.id).not.toBe(r.alarm.id);
  });

  it('keeps a given alarmId, else derives one from the bus event id', () => {
    const own = alarmFromEvent({ alarmId: 'alm_x', tenantId: 't', deviceId: 'd', type: 'MANUAL' }, event);
    expect(own.ok && own.alarm.id).toBe('alm_x');
    const a = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'MOTION' }, event);
    const b = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'MOTION' }, event);
    const c = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'MOTION' }, { ...event, id: 'evt_9' });
    expect(a.ok && b.ok && a.alarm.id === b.alarm.id).toBe(true);
    expect(a.ok && c.ok && a.alarm.id !== c.alarm.id).toBe(true);
    expect(derivedAlarmId('t', null, 'evt_1')).toBe(a.ok && a.alarm.id);
  });

  it('applies defaults and maps unknown vendor types to OTHER, keeping the code', () => {
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'zz_new_algorithm' }, event);
    expect(r.ok && r.alarm).toMatchObject({
      type: AlarmType.OTHER, sourceCode: 'zz_new_algorithm', level: AlarmLevel.MINOR, status: AlarmStatus.PULSE,
      description: '', channelId: null, dedupeKey: null, attributes: null, occurredAt: new Date(event.publishedAt),
      source: null, pictures: null,
    });
  });

  it('classifies vendor codes through the taxonomy: type, default level, source, description', () => {
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'falling_detection', attributes: { source: 'http-push', kind: 'alarm' } }, event);
    expect(r.ok && r.alarm).toMatchObject({
      type: AlarmType.FALLING_OBJECT, sourceCode: 'falling_detection', level: AlarmLevel.CRITICAL, source: 'HTTP_PUSH',
      description: 'Object thrown from height',
    });
    const given = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: '9002', sourceCode: '9002', source: 'CMIOT', level: 'INFO', description: 'smoke in hall' }, event);
    expect(given.ok && given.alarm).toMatchObject({ type: AlarmType.SMOKE, level: AlarmLevel.INFO, source: 'CMIOT', description: 'smoke in hall', sourceCode: '9002' });
    const tlv = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'ALAM', attributes: { source: 'http-push', kind: 'tlv', target: 5, customerCountIn: 3 } }, event);
    expect(tlv.ok && tlv.alarm).toMatchObject({ type: AlarmType.PERSON_COUNT, sourceCode: 'ALAM', source: 'HTTP_PUSH' });
    const temper = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'over_temper', attributes: { source: 'http-push', kind: 'temperature' } }, event);
    expect(temper.ok && temper.alarm).toMatchObject({ type: AlarmType.TEMPERATURE, sourceCode: 'over_temper' });
  });

  it('refuses payloads that cannot be an alarm', () => {
    expect(alarmFromEvent(null, event)).toEqual({ ok: false, reason: 'payload is not an object' });
    expect(alarmFromEvent({ deviceId: 'd', type: 'MOTION' }, event).ok).toBe(false);
    expect(alarmFromEvent({ tenantId: 't', type: 'MOTION' }, event).ok).toBe(false);
    expect(alarmFromEvent({ tenantId: 't', deviceId: 'd', channelId: 'x'.repeat(41), type: 'MOTION' }, event).ok).toBe(false);
    expect(alarmFromEvent({ tenantId: 't', deviceId: 'd/../x', type: 'MOTION' }, event).ok).toBe(false);
  });

  it('keeps oversized attributes out and hashes overlong dedupe keys', () => {
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'FACE', attributes: { blob: 'x'.repeat(20_000) }, dedupeKey: 'k'.repeat(300) }, event);
    expect(r.ok && r.alarm.attributes).toBe('{"blob":{"omitted":20000},"truncated":true}');
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'y'.repeat(200)]));
    const r2 = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'FACE', attributes: { source: 'http-push', kind: 'tlv', ...many } }, event);
    expect(r2.ok && r2.alarm.attributes).toBe('{"truncated":true,"source":"http-push","kind":"tlv"}');
    expect(r.ok && r.alarm.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(normalizeDedupeKey('short')).toBe('short');
  });

  it('round-trips what raiseAlarm publishes', () => {
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', channelId: 'c', type: 'MANUAL', level: 4, status: 'PULSE', attributes: { a: 1 }, dedupeKey: 'k' }, event);
    if (!r.ok) throw new Error('unexpected');
    const published = alarmRaisedEventOf(r.alarm);
    expect(published.level).toBe('CRITICAL');
    expect(published.attributes).toEqual({ a: 1 });
    const back = alarmFromEvent(JSON.parse(JSON.stringify(published)), { id: 'evt_other', publishedAt: 1 });
    expect(back).toEqual({ ok: true, alarm: r.alarm, uploads: [], warnings: [] });
  });
});

describe('level and status parsing', () => {
  it('accepts names and numbers for levels', () => {
    expect(parseAlarmLevel('critical')).toBe(AlarmLevel.CRITICAL);
    expect(parseAlarmLevel(1)).toBe(AlarmLevel.INFO);
    expect(parseAlarmLevel('3')).toBe(AlarmLevel.MAJOR);
    expect(parseAlarmLevel(5)).toBeNull();
    expect(parseAlarmLevel('LOUD')).toBeNull();
  });

  it('accepts alarm_report strings and event_report integers for status', () => {
    expect(parseAlarmStatus('start')).toBe(AlarmStatus.START);
    expect(parseAlarmStatus('STOP')).toBe(AlarmStatus.STOP);
    expect(parseAlarmStatus(2)).toBe(AlarmStatus.PULSE);
    expect(parseAlarmStatus(0)).toBe(AlarmStatus.STOP);
    expect(parseAlarmStatus('1')).toBe(AlarmStatus.START);
    expect(parseAlarmStatus('start,stop,pulse')).toBeNull();
  });
});

describe('checkRaiseAlarmInput', () => {
  const base = { channelId: 'chn_1', type: AlarmType.MANUAL, level: AlarmLevel.MAJOR, status: AlarmStatus.PULSE, description: ' door forced ' };
  const now = new Date('2024-05-01T10:00:00Z');

  it('trims and defaults', () => {
    expect(checkRaiseAlarmInput(base, now)).toEqual({
      channelId: 'chn_1', description: 'door forced', sourceCode: null, dedupeKey: null, occurredAt: now, attributes: null, hasPictures: false,
    });
  });

  it.each([
    [{ channelId: ' ' }, 'input.channelId'],
    [{ description: 'x'.repeat(1025) }, 'input.description'],
    [{ sourceCode: 'x'.repeat(129) }, 'input.sourceCode'],
    [{ dedupeKey: '  ' }, 'input.dedupeKey'],
    [{ dedupeKey: 'x'.repeat(201) }, 'input.dedupeKey'],
    [{ occurredAt: new Date(now.getTime() + 6 * 60_000) }, 'input.occurredAt'],
    [{ attributes: { blob: 'x'.repeat(17_000) } }, 'input.attributes'],
  ])('refuses %o with BAD_USER_INPUT on %s', (patch, field) => {
    let error: any;
    try {
      checkRaiseAlarmInput({ ...base, ...patch } as any, now);
    } catch (e) {
      error = e;
    }
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
