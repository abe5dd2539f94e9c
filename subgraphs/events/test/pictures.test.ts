import { describe, expect, it } from 'vitest';
import { decodePictureBase64, extractPictures, parseStoredPictures, pictureKey } from '../src/pictures.js';
import { alarmFromEvent, alarmRaisedEventOf, checkRaiseAlarmInput } from '../src/alarm-event.js';
import { AlarmLevel, AlarmStatus, AlarmType } from '../src/alarm-model.js';

const JPEG = Buffer.from('ffd8ffe000104a464946000101ffd9', 'hex');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const owner = { tenantId: 'ten_1', alarmId: 'alm_1' };

describe('extractPictures', () => {
  it('takes JPEG/PNG pictures out of the attributes, keyed by alarm and position', () => {
    const r = extractPictures({ kind: 'event', pictures: [{ contentType: 'image/png', dataBase64: JPEG.toString('base64'), name: 'a.jpg' }, { dataBase64: PNG.toString('base64') }] }, owner);
    expect(r.attributes).toEqual({ kind: 'event' });
    expect(r.warnings).toEqual([]);
    // the magic bytes decide the type, not the declared one
    expect(r.pictures).toEqual([
      { key: 'alarms/ten_1/alm_1/0.jpg', contentType: 'image/jpeg', size: JPEG.length, name: 'a.jpg' },
      { key: 'alarms/ten_1/alm_1/1.png', contentType: 'image/png', size: PNG.length },
    ]);
    expect(r.uploads.map((u) => [u.key, u.bytes.equals(u.contentType === 'image/png' ? PNG : JPEG)])).toEqual([['alarms/ten_1/alm_1/0.jpg', true], ['alarms/ten_1/alm_1/1.png', true]]);
    expect(pictureKey('t', 'a', 3, 'image/png')).toBe('alarms/t/a/3.png');
  });

  it('drops bad pictures with a warning on the bus, keeping the rest', () => {
    const big = Buffer.alloc(64, 0xff);
    const r = extractPictures(
      { pictures: [{ dataBase64: 'not base64!' }, { dataBase64: Buffer.from('GIF89a').toString('base64') }, { dataBase64: big.toString('base64') }, 'x', { contentType: 'image/jpeg' }, { dataBase64: JPEG.toString('base64') }], jpeg_base64: 'jpeg_base64' },
      owner,
      { maxBytes: 32 },
    );
    expect(r.attributes).toBeNull();
    expect(r.pictures.map((p) => p.key)).toEqual(['alarms/ten_1/alm_1/5.jpg']);
    expect(r.warnings).toHaveLength(5);
    expect(r.warnings.join('\n')).toMatch(/not valid base64[\s\S]*not a JPEG or PNG[\s\S]*more than the 32 allowed[\s\S]*must be an object[\s\S]*is required/);
  });

  it('refuses bad pictures in strict mode (raiseAlarm) with the field', () => {
    expect(() => extractPictures({ pictures: [{ dataBase64: 'AAAA' }] }, owner, { strict: true, field: 'input.attributes' })).toThrow(/input\.attributes\.pictures\[0\]\.dataBase64: is not a JPEG or PNG/);
    expect(() => checkRaiseAlarmInput({ channelId: 'c', type: AlarmType.MOTION, level: AlarmLevel.INFO, status: AlarmStatus.PULSE, description: '', attributes: { pictures: [{ dataBase64: '' }] } })).toThrow(/is empty/);
    const ok = checkRaiseAlarmInput({ channelId: 'c', type: AlarmType.MOTION, level: AlarmLevel.INFO, status: AlarmStatus.PULSE, description: '', attributes: { z: 1, pictures: [{ dataBase64: JPEG.toString('base64') }] } });
    expect(ok).toMatchObject({ attributes: '{"z":1}', hasPictures: true });
  });

  it('reads raw jpeg_base64 fields, data: URLs and url-safe base64', () => {
    const long = Buffer.concat([JPEG, Buffer.alloc(100, 0xfb)]);
    const r = extractPictures({ jpegBase64: `data:image/jpeg;base64,${long.toString('base64url')}`, alarm_msg: 'm' }, owner);
    expect(r.attributes).toEqual({ alarm_msg: 'm' });
    expect(r.uploads[0]!.bytes.equals(long)).toBe(true);
    expect(decodePictureBase64('QUJD\nRA==', 10)).toEqual({ ok: true, bytes: Buffer.from('ABCD') });
    expect(decodePictureBase64('A', 10)).toMatchObject({ ok: false });
  });

  it('honours stored picture references only under the tenant', () => {
    const r = extractPictures({ pictures: [{ key: 'alarms/ten_1/alm_0/0.jpg', contentType: 'image/jpeg', size: 10 }, { key: 'alarms/ten_2/alm_0/0.jpg', contentType: 'image/jpeg', size: 10 }, { key: '../etc/passwd' }] }, owner);
    expect(r.pictures).toEqual([{ key: 'alarms/ten_1/alm_0/0.jpg', contentType: 'image/jpeg', size: 10 }]);
    expect(r.uploads).toEqual([]);
    expect(r.warnings).toHaveLength(2);
  });

  it('flows through alarm.raised: stored without base64, re-published as references, parsed back the same', () => {
    const event = { id: 'evt_p', publishedAt: Date.parse('2024-05-01T10:00:00Z') };
    const payload = { tenantId: 'ten_1', deviceId: 'dev_1', type: 'snap_report', attributes: { source: 'http-push', kind: 'snapshot', name: 'T01.jpg', pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG.toString('base64'), name: 'T01.jpg' }] } };
    const r = alarmFromEvent(payload, event);
    if (!r.ok) throw new Error(r.reason);
    expect(r.alarm.type).toBe(AlarmType.SNAPSHOT);
    expect(r.alarm.attributes).toBe('{"source":"http-push","kind":"snapshot","name":"T01.jpg"}');
    expect(parseStoredPictures(r.alarm.pictures)).toEqual([{ key: `alarms/ten_1/${r.alarm.id}/0.jpg`, contentType: 'image/jpeg', size: JPEG.length, name: 'T01.jpg' }]);
    expect(r.uploads).toHaveLength(1);
    // every subscriber of one event shares one parse (pictures decoded once); another event id parses anew
    expect(alarmFromEvent(payload, event)).toBe(r);
    expect(alarmFromEvent(payload, { ...event, id: 'evt_q' })).not.toBe(r);
    const published = JSON.parse(JSON.stringify(alarmRaisedEventOf(r.alarm)));
    expect(JSON.stringify(published)).not.toContain(JPEG.toString('base64'));
    const back = alarmFromEvent(published, { id: 'evt_other', publishedAt: 1 });
    expect(back).toEqual({ ok: true, alarm: r.alarm, uploads: [], warnings: [] });
  });

  it('parses the pictures column leniently', () => {
    expect(parseStoredPictures(null)).toEqual([]);
    expect(parseStoredPictures('nope')).toEqual([]);
    expect(parseStoredPictures('[{"key":"a"},{"x":1},null]')).toEqual([{ key: 'a' }]);
  });
});
