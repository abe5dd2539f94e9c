import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encodeTlvReport, tlvItem, tlvRecord } from '@argus/protocols';
import { startPushFixture, until, sleep, type PushFixture } from './http-push-fixture.js';
import {
  HttpPushCamera, PATHS, TINY_JPEG, DUAL_PARKING_EXTERN, alamRecord, customerFlowRecord, faceRecord, ocrRecord,
} from '../../test/sim/http-push-camera.js';

const run = promisify(execFile);
const JPEG64 = TINY_JPEG.toString('base64');

/** curl --digest -u <id>:<pw>, as an operator would test a camera's settings. */
async function curl(f: PushFixture, args: { code: string; password: string; method: string; path: string; body?: string }) {
  const { stdout } = await run('curl', [
    '-s', '--digest', '-u', `${args.code}:${args.password}`,
    '-H', `User-Identify: ${args.code}`, '-H', 'Content-Type: application/json;charset=utf-8',
    '-X', args.method, ...(args.body !== undefined ? ['--data-binary', args.body] : []),
    '-w', '\n%{http_code}', `${f.server}${args.path}`,
  ]);
  const [text, status] = [stdout.slice(0, stdout.lastIndexOf('\n')), Number(stdout.slice(stdout.lastIndexOf('\n') + 1))];
  return { status, json: JSON.parse(text) };
}

describe('HTTP push driver', () => {
  let f: PushFixture;
  beforeAll(async () => {
    f = await startPushFixture({ maxBodyBytes: 64 * 1024, keepaliveSeconds: 60 });
  });
  afterAll(async () => {
    await f?.close();
  });

  /** Runs `act` and returns the bus events it caused (after the bus went quiet). */
  async function during(act: () => Promise<unknown>, settleMs = 100) {
    const before = f.events.length;
    await act();
    await sleep(settleMs);
    return f.events.slice(before);
  }

  async function onlineCamera(code: string, password = 'pw-' + code) {
    const device = f.addDevice(code, { password });
    const cam = f.camera({ deviceId: code, password });
    expect((await cam.keepalive()).status).toBe(200);
    await until(() => f.of('device.status').some((e) => e.data.deviceId === device.deviceId), 2000, 'ONLINE');
    return { device, cam };
  }

  describe('authentication', () => {
    it('keepalive: challenge, then the envelope with keepinterval; the nonce is reused; the device goes ONLINE once', async () => {
      const device = f.addDevice('12221S55G3X8', { password: '123456' });
      const cam = f.camera({ deviceId: '12221S55G3X8', password: '123456' });
      const events = await during(async () => {
        const first = await cam.keepalive();
        expect(first.status).toBe(200);
        expect(first.challenges).toBe(1);
        expect(first.text).toBe('{"method":"keepalive","keepinterval":60,"error":{"errorcode":0,"errormsg":""}}');
        expect(first.headers['content-type']).toBe('application/json;charset=utf-8');
        const second = await cam.keepalive();
        expect(second.status).toBe(200);
        expect(second.challenges).toBe(0);
      });
      const status = events.filter((e) => e.subject === 'device.status');
      expect(status).toHaveLength(1);
      expect(status[0]!.data).toEqual({ tenantId: 'ten_1', deviceId: device.deviceId, status: 'ONLINE', at: expect.any(String) });
      expect(Number.isNaN(Date.parse(status[0]!.data.at))).toBe(false);
      expect(f.push.presence.isOnline(device.deviceId)).toBe(true);
    });

    it('the 401 challenge carries the envelope and a digest WWW-Authenticate', async () => {
      const res = await fetch(`${f.server}${PATHS.alarm}`, { method: 'POST', body: '{}', headers: { 'user-identify': 'X1' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Digest realm="argus", qop="auth", nonce="[A-Za-z0-9+/=]+", algorithm=MD5$/);
      expect(await res.json()).toEqual({ method: 'alarm_report', error: { errorcode: -401, errormsg: 'digest authentication required' } });
    });

    it('accepts nc as the literal decimal the spec example uses (nc=42)', async () => {
      f.addDevice('NCDEC1', { password: 'pw' });
      const cam = f.camera({ deviceId: 'NCDEC1', password: 'pw', ncFormat: 'decimal' });
      expect((await cam.keepalive()).status).toBe(200);
      expect((await cam.keepalive()).status).toBe(200);
    });

    it('curl --digest -u <id>:<pw> works for the keepalive (GET with body) and a report', async () => {
      const device = f.addDevice('CURL01', { password: 's3cret pass' });
      const ka = await curl(f, { code: 'CURL01', password: 's3cret pass', method: 'GET', path: PATHS.keepalive, body: JSON.stringify({ method: '', param: { deviceId: 'CURL01', channelNum: 0, deviceName: 'HD IPC', time: '2021-07-16 00:00:00' } }) });
      expect(ka).toEqual({ status: 200, json: { method: 'keepalive', keepinterval: 60, error: { errorcode: 0, errormsg: '' } } });
      const events = await during(() =>
        curl(f, {
          code: 'CURL01', password: 's3cret pass', method: 'POST', path: PATHS.alarm,
          body: JSON.stringify({ method: 'alarm_report', param: { device_id: 'CURL01', channel_id: 2, alarm_type: 'falling_detection', time: '2021-07-16 00:00:00', status: 'pulse', alarm_uuid: 'CURL01/2/falling_detection/2021-07-16 00:00:00/1', alarm_msg: 'falling object' } }),
        }).then((r) => expect(r).toEqual({ status: 200, json: { method: 'alarm_report', error: { errorcode: 0, errormsg: '' } } })),
      );
      const alarm = events.find((e) => e.subject === 'alarm.raised')!;
      expect(alarm.data).toMatchObject({ deviceId: device.deviceId, channelId: device.channels[1]!.id, type: 'falling_detection', status: 'PULSE' });
      const wrong = await curl(f, { code: 'CURL01', password: 'nope', method: 'POST', path: PATHS.alarm, body: '{}' });
      expect(wrong.status).toBe(401);
    });

    it('a stale nonce gets 401 with stale=true; the camera re-authenticates; a saved header is replayable until then', async () => {
      const g = await startPushFixture({ nonceTtlMs: 400 });
      try {
        g.addDevice('STALE1', { password: 'pw' });
        const cam = g.camera({ deviceId: 'STALE1', password: 'pw' });
        expect((await cam.keepalive()).status).toBe(200);
        const saved = cam.lastAuthorization!;
        const replay = await cam.sendWithAuthorization('GET', PATHS.keepalive, null, saved);
        expect(replay.status).toBe(200); // the spec's strategy 3: reuse within the lifetime, nc not enforced
        await sleep(500);
        const stale = await cam.sendWithAuthorization('GET', PATHS.keepalive, null, saved);
        expect(stale.status).toBe(401);
        expect(stale.headers['www-authenticate']).toMatch(/stale=true/);
        expect(stale.json).toEqual({ method: 'keepalive', error: { errorcode: -401, errormsg: 'nonce expired' } });
        const again = await cam.keepalive();
        expect(again.status).toBe(200);
        expect(again.challenges).toBe(1);
        // a nonce this server never issued, with the right password: stale too (e.g. after a key change)
        const foreign = await cam.sendWithAuthorization('GET', PATHS.keepalive, null,
          (await import('../src/drivers/http-push/digest.js')).digestResponse({ username: 'admin', realm: 'argus', password: 'pw', method: 'GET', uri: PATHS.keepalive, nonce: 'C40Hr6NCxnvamwrO71o1zw==', nc: '1', cnonce: 'c', qop: 'auth' })!
            .replace(/^(.*)$/, 'Digest username="admin",realm="argus",nonce="C40Hr6NCxnvamwrO71o1zw==",uri="/v1/device/keepalive",response="$1",qop=auth,nc=1,cnonce="c"'));
        expect(foreign.status).toBe(401);
        expect(foreign.headers['www-authenticate']).toMatch(/stale=true/);
      } finally {
        await g.close();
      }
    });

    it('wrong password: 401 without stale, nothing on the bus', async () => {
      f.addDevice('WRONGPW', { password: 'right' });
      const cam = f.camera({ deviceId: 'WRONGPW', password: 'wrong' });
      const events = await during(async () => {
        const res = await cam.alarmReport();
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).not.toMatch(/stale/);
        expect(res.json).toEqual({ method: 'alarm_report', error: { errorcode: -401, errormsg: 'wrong credentials' } });
      });
      expect(events).toEqual([]);
    });

    it('unknown device: 401 and device.unknown {deviceCode, remote, at}, at most once a minute per code', async () => {
      const cam = f.camera({ deviceId: 'NOBODY01', password: 'x' });
      const events = await during(async () => {
        const res = await cam.alarmReport();
        expect(res.status).toBe(401);
        expect(res.json!.error!.errormsg).toMatch(/unknown device NOBODY01/);
        expect((await cam.keepalive()).status).toBe(401);
      });
      expect(events.map((e) => e.subject)).toEqual(['device.unknown']);
      expect(events[0]!.data).toEqual({ deviceCode: 'NOBODY01', remote: '127.0.0.1', at: expect.any(String) });
    });

    it('a code registered in several tenants (devices answers 409) is refused, without device.unknown', async () => {
      f.stub.devices.set('TWICE01', 'conflict');
      const cam = f.camera({ deviceId: 'TWICE01', password: 'x' });
      const events = await during(async () => {
        const res = await cam.keepalive();
        expect(res.status).toBe(401);
        expect(res.json!.error!.errormsg).toMatch(/several tenants/);
      });
      expect(events).toEqual([]);
    });

    it('no User-Identify, or a device without password: 401', async () => {
      f.addDevice('NOPW01', { password: null });
      expect((await f.camera({ deviceId: 'NOPW01', password: '' }).keepalive()).json!.error!.errormsg).toMatch(/no password/);
      f.addDevice('NOUI01', { password: 'pw' });
      const res = await f.camera({ deviceId: 'NOUI01', password: 'pw', sendUserIdentify: false }).keepalive();
      expect(res.status).toBe(401);
      expect(res.json!.error!.errormsg).toMatch(/User-Identify/);
    });

    it('devices subgraph unavailable: 503 envelope, nothing stored', async () => {
      const cam = f.camera({ deviceId: 'DOWN01', password: 'pw' });
      f.stub.down = true;
      try {
        const events = await during(async () => {
          const res = await cam.alarmReport();
          expect(res.status).toBe(503);
          expect(res.json).toMatchObject({ method: 'alarm_report', error: { errorcode: -503 } });
        });
        expect(events).toEqual([]);
      } finally {
        f.stub.down = false;
      }
    });

    it('re-reads the device after device.updated (new password) and forgets it after device.deleted', async () => {
      const { device, cam } = await onlineCamera('EVICT01', 'old');
      const lookups = f.stub.lookups.filter((c) => c === 'EVICT01').length;
      expect((await cam.keepalive()).status).toBe(200);
      expect(f.stub.lookups.filter((c) => c === 'EVICT01')).toHaveLength(lookups); // cached
      f.addDevice('EVICT01', { ...device, password: 'new' });
      await f.bus.publish('device.updated', { tenantId: device.tenantId, deviceId: device.deviceId });
      await sleep(20);
      expect((await cam.keepalive()).status).toBe(401);
      cam.password = 'new';
      cam.reset();
      expect((await cam.keepalive()).status).toBe(200);
      f.stub.devices.delete('EVICT01');
      await f.bus.publish('device.deleted', { tenantId: device.tenantId, deviceId: device.deviceId, channelIds: [] });
      await sleep(20);
      expect(f.push.presence.isOnline(device.deviceId)).toBe(false);
      expect((await cam.keepalive()).status).toBe(401);
    });
  });

  describe('refused bodies store nothing', () => {
    let cam: HttpPushCamera;
    beforeAll(async () => {
      ({ cam } = await onlineCamera('BAD0001'));
    });

    const cases: [string, () => Promise<import('../../test/sim/http-push-camera.js').PushResponse>, number, RegExp][] = [
      ['malformed JSON (the spec\'s modbus example, missing comma)', () => cam.send('POST', PATHS.environment,
        '{ "deviceNo": "12221S37GCEU", "time": "2021-12-01 10:30:49", "data": { "@0": 0, "@1": 0 } "alarm": { "@0": 0, "@1": 1 } }'), 400, /not valid JSON/],
      ['malformed JSON (the spec\'s snap_report example)', () => cam.send('POST', PATHS.snapshot,
        '{ "mid" :2, "method" : "snap_report" "param{ "deviceID": "12221S6MR7KT" "deviceName" : "dv2" "name": "T01140300.jpg", "jpegBase64": }}'), 400, /not valid JSON/],
      ['JSON that is not an object', () => cam.send('POST', PATHS.alarm, '[1,2]'), 400, /must be a JSON object/],
      ['param missing', () => cam.send('POST', PATHS.event, { method: 'event_report' }), 400, /"param" must be a JSON object/],
      ['bad base64 picture', () => cam.alarmReport({ jpeg_base64: 'this is *not* base64!' }), 400, /jpeg_base64" is not valid base64/],
      ['bad base64 snapshot', () => cam.snapshotReport(3, 'x.jpg', '%%%'), 400, /jpegBase64" is not valid base64/],
      ['snapshot without picture', () => cam.send('POST', PATHS.snapshot, { mid: 1, method: 'snap_report', param: { deviceID: 'BAD0001', name: 'x.jpg' } }), 400, /required/],
      ['alarm without alarm_type', () => cam.send('POST', PATHS.alarm, { method: 'alarm_report', param: { device_id: 'BAD0001' } }), 400, /alarm_type/],
      ['channel_id not a number', () => cam.alarmReport({ channel_id: 'one' as never }), 400, /channel_id/],
      ['truncated TLV', () => cam.tlvReport(Buffer.from(encodeTlvReport([faceRecord('BAD0001')])).subarray(0, 40)), 400, /TLV_(TRUNCATED|LENGTH_OVERFLOW)/],
      ['TLV header cut short', () => cam.tlvReport(Buffer.from([0x4d, 0x45, 0x54, 0x41, 0, 0])), 400, /TLV_TRUNCATED/],
      ['TLV length past the end', () => cam.tlvReport(Buffer.from([0x4d, 0x45, 0x54, 0x41, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1])), 400, /TLV_LENGTH_OVERFLOW/],
      ['empty TLV body', () => cam.tlvReport(Buffer.alloc(0)), 400, /no TLV record/],
      ['oversized TLV (over the body limit)', () => cam.tlvReport([tlvRecord('META', [tlvItem('target', 1), tlvItem('snapshot', new Uint8Array(70 * 1024))])]), 413, /over the limit/],
      ['oversized JSON', () => cam.alarmReport({ jpeg_base64: 'A'.repeat(80 * 1024) }), 413, /over the limit/],
    ];
    for (const [name, send, status, message] of cases) {
      it(`${name}: ${status} with the error envelope`, async () => {
        const events = await during(async () => {
          const res = await send();
          expect(res.status).toBe(status);
          expect(res.json!.error!.errorcode).toBe(-status);
          expect(res.json!.error!.errormsg).toMatch(message);
          expect(typeof res.json!.method).toBe('string');
        });
        expect(events).toEqual([]);
      });
    }

    it('unknown interface: 404; wrong method: 405', async () => {
      const nf = await cam.send('POST', '/v1/device/people_count_report', {});
      expect(nf.status).toBe(404);
      expect(nf.json).toMatchObject({ method: 'people_count_report', error: { errorcode: -404 } });
      const na = await cam.send('GET', PATHS.alarm, null);
      expect(na.status).toBe(405);
      expect(na.headers.allow).toBe('POST');
    });
  });

  describe('reports become alarm.raised', () => {
    let cam: HttpPushCamera;
    let device: ReturnType<PushFixture['addDevice']>;
    beforeAll(async () => {
      ({ cam, device } = await onlineCamera('12421HHTCS'));
    });

    async function raised(act: () => Promise<{ status: number; json: unknown }>, expectedMethod: string) {
      const events = await during(async () => {
        const res = await act();
        expect(res.status).toBe(200);
        expect(res.json).toEqual({ method: expectedMethod, error: { errorcode: 0, errormsg: '' } });
      });
      expect(events.every((e) => e.subject === 'alarm.raised')).toBe(true);
      return events.map((e) => e.data);
    }

    it('alarm_report: vendor code, status, channel, dedupeKey from alarm_uuid, picture, decoded extends', async () => {
      const [a] = await raised(() => cam.alarmReport({ time: '2021-07-16 08:00:00', alarm_uuid: 'U-1' }), 'alarm_report');
      expect(a).toEqual({
        tenantId: 'ten_1',
        deviceId: device.deviceId,
        channelId: device.channels[0]!.id,
        type: 'ebike_detection',
        sourceCode: 'ebike_detection',
        status: 'START',
        occurredAt: new Date(2021, 6, 16, 8, 0, 0).toISOString(),
        description: 'e-bike in the lift',
        dedupeKey: 'U-1:START',
        attributes: {
          source: 'http-push',
          kind: 'alarm',
          device_id: '12421HHTCS',
          device_name: 'HD IPC',
          channel_id: 1,
          alarm_type: 'ebike_detection',
          time: '2021-07-16 08:00:00',
          status: 'start',
          alarm_uuid: 'U-1',
          alarm_msg: 'e-bike in the lift',
          extends: { thumbnail_file_path: '/dev/sda/20221013/A011173757.jpg' },
          extendsForm: 'base64-json',
          pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG64 }],
        },
      });
      const [stop] = await raised(() => cam.alarmReport({ alarm_uuid: 'U-1', status: 'stop', jpeg_base64: '' }), 'alarm_report');
      expect(stop).toMatchObject({ status: 'STOP', dedupeKey: 'U-1:STOP', attributes: { pictures: [] } });
      const [numeric] = await raised(() => cam.alarmReport({ alarm_uuid: 'U-2', status: '2', extends: 'XXXXXXX' }), 'alarm_report');
      expect(numeric).toMatchObject({ status: 'PULSE', attributes: { extends: 'XXXXXXX', extendsForm: 'raw' } });
    });

    it('event_report: type, 0/1/2 status, IPC channel 0 → channel 1, typeName, decoded extern; timed snapshot', async () => {
      const [e] = await raised(() => cam.eventReport(), 'event_report');
      expect(e).toMatchObject({
        deviceId: device.deviceId, channelId: device.channels[0]!.id, type: 'dual_parking_whitelist', sourceCode: 'dual_parking_whitelist',
        status: 'START', description: 'Whitelisted vehicle',
        attributes: { source: 'http-push', kind: 'event', event: 1, channel_type: 0, extern: DUAL_PARKING_EXTERN, externForm: 'base64-json', pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG64 }] },
      });
      expect(e.dedupeKey).toBeUndefined();
      expect(e.attributes.jpeg_base64).toBeUndefined();
      const [snap] = await raised(() => cam.eventReport({ event: 3, type: '', typeName: '', status: 2, extern: '' }), 'event_report');
      expect(snap).toMatchObject({ type: 'timing_snap', status: 'PULSE', level: 'INFO', description: 'timing_snap' });
    });

    it('tlv_report: one alarm per record — face attributes, customer flow, OCR regions, ALAM with vendor type', async () => {
      const pts = BigInt(Date.UTC(2024, 0, 1, 8, 8, 0));
      const body = [faceRecord('12421HHTCS', 2, pts), customerFlowRecord('12421HHTCS', 1, pts), ocrRecord('12421HHTCS', pts), alamRecord('12421HHTCS', 'ebike_det', 1)];
      const [face, flow, ocr, alam] = await raised(() => cam.tlvReport(body), 'tlv_report');
      expect(face).toMatchObject({
        channelId: device.channels[1]!.id, type: 'META_TARGET_FACE', sourceCode: 'META_TARGET_FACE', status: 'PULSE', level: 'INFO',
        occurredAt: new Date(2024, 0, 1, 8, 8, 0).toISOString(), description: 'visitor',
        attributes: {
          source: 'http-push', kind: 'tlv', head: 'META', tag: '0x4D455441', target: 1, targetName: 'META_TARGET_FACE', aiName: 'jovision-face',
          deviceId: '12421HHTCS', channelId: 2, pts: String(pts), picSize: { width: 1920, height: 1080 }, objRect: { x: 10, y: 20, width: 64, height: 80 },
          objId: '123456789012345', objName: 'visitor', faceInfo: 1, faceGender: 2, faceAgeGroup: 3, faceMask: 1, faceExpression: 1, faceHat: 0,
          faceBeard: 0, faceHair: 1, faceGlass: 2, faceFeature: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]).toString('base64'), faceSimilarity: 9876,
          faceLiveness: 1, faceId: Buffer.from([0xfa, 0xce]).toString('base64'), faceTemperature: 3650,
          pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG64 }, { contentType: 'image/jpeg', dataBase64: JPEG64 }],
        },
      });
      expect(face.attributes.snapshot).toBeUndefined();
      expect(flow).toMatchObject({ type: 'META_TARGET_CUSTOMER_COUNTER', channelId: device.channels[0]!.id, attributes: { customerCountIn: 12, customerCountOut: 7, customerPass: 30, customerCountKeep: 5, pictures: [] } });
      expect(ocr).toMatchObject({ type: 'META_TARGET_OCR', channelId: null, attributes: { ocrRegionNum: 2, picSize: { width: 1280, height: 720 } } });
      expect(ocr.attributes.ocrRegions).toEqual([
        { points: [{ x: 0, y: 1 }, { x: 10, y: 1 }, { x: 10, y: 9 }, { x: 0, y: 9 }], name: 'meter', text: '0042.7', confidence: 9500, eachConfidence: [9000, 9100, 9200, 9300, 9400, 9500] },
        { points: [{ x: 20, y: 1 }, { x: 30, y: 1 }, { x: 30, y: 9 }, { x: 20, y: 9 }], name: 'plate', text: '京J66666', confidence: 8800, eachConfidence: [8800, 8800] },
      ]);
      expect(alam).toMatchObject({ type: 'ebike_det', sourceCode: 'ebike_det', status: 'START', attributes: { head: 'ALAM', alarmType: 'ebike_det', target: 4 } });
      expect(alam.level).toBeUndefined();
    });

    it('tlv_report: sent with the spec\'s JSON Content-Type, reversed heads, a malformed value kept', async () => {
      const rec = tlvRecord('META', [tlvItem('target', 5), tlvItem('channelId', 1), { field: 'malformed', tag: 0x10001, bytes: new Uint8Array([1, 2, 3]), reason: 'sent 3 bytes' }], { reversedHead: true });
      const [a] = await raised(() => cam.tlvReport([rec], 'application/json;charset=utf-8'), 'tlv_report');
      expect(a).toMatchObject({ type: 'META_TARGET_CUSTOMER_COUNTER', attributes: { head: 'META', tag: '0x4154454D', malformed: [{ tag: '0x00010001', dataBase64: 'AQID' }] } });
    });

    it('environment (modbus) report: registers and alarm conditions', async () => {
      const [a] = await raised(() => cam.environmentReport({ time: '2021-12-01 10:30:49' }), 'reportData.do');
      expect(a).toMatchObject({
        deviceId: device.deviceId, channelId: null, type: 'reportData', sourceCode: 'reportData', level: 'MAJOR', status: 'PULSE',
        occurredAt: new Date(2021, 11, 1, 10, 30, 49).toISOString(),
        description: 'register 0 below its minimum; register 1 above its maximum',
        attributes: {
          source: 'http-push', kind: 'environment', deviceNo: '12421HHTCS', time: '2021-12-01 10:30:49',
          alarms: [{ register: 0, value: 0, condition: 'below_min' }, { register: 1, value: 1, condition: 'above_max' }],
          pictures: [],
        },
      });
      expect(a.attributes.readings).toHaveLength(10);
      const [data] = await raised(() => cam.environmentReport({ alarm: {} , data: { '@0': 21.5 } }), 'reportData.do');
      expect(data).toMatchObject({ type: 'reportData', level: 'INFO', attributes: { readings: [{ register: 0, value: 21.5 }], alarms: [] } });
    });

    it('temperature report: readings, and over the threshold', async () => {
      const [ok] = await raised(() => cam.temperatureReport(), 'report_temper_data');
      expect(ok).toMatchObject({
        channelId: device.channels[0]!.id, type: 'report_temper_data', sourceCode: 'report_temper_data', level: 'INFO', status: 'PULSE', description: 'rect 1: 30.1 (threshold 100)',
        attributes: { kind: 'temperature', regions: [{ id: 0, name: 'rect 1', temper: 30.1, overThreshold: 100, overThresholdExceeded: false }], overThreshold: [], temper_rect: [{ id: 0, name: 'rect 1', temper: 30.1, over_threshold: 100 }] },
      });
      const [hot] = await raised(() => cam.temperatureReport([{ id: 0, name: 'rect 1', temper: 30.1, over_threshold: 100 }, { id: 1, name: 'boiler', temper: 120.5, over_threshold: 100 }], 2), 'report_temper_data');
      expect(hot).toMatchObject({ channelId: device.channels[1]!.id, type: 'report_temper_data', level: 'MAJOR', description: 'boiler: 120.5 (threshold 100)', attributes: { overThreshold: [1] } });
    });

    it('snap_report: the picture, name and mid (jpegBas64 spelling accepted too)', async () => {
      const [s] = await raised(() => cam.snapshotReport(2, 'T01140300.jpg'), 'snap_report');
      expect(s).toMatchObject({
        type: 'snap_report', sourceCode: 'snap_report', status: 'PULSE', level: 'INFO', description: 'T01140300.jpg', channelId: null,
        attributes: { kind: 'snapshot', mid: 2, deviceID: '12421HHTCS', deviceName: 'HD IPC', name: 'T01140300.jpg', pictures: [{ contentType: 'image/jpeg', dataBase64: JPEG64 }] },
      });
      expect(s.attributes.jpegBase64).toBeUndefined();
      const [t] = await raised(() => cam.send('POST', PATHS.snapshot, { mid: 3, method: 'snap_report', param: { deviceID: '12421HHTCS', name: 'a.jpg', jpegBas64: JPEG64 } }), 'snap_report');
      expect(t.attributes.pictures).toEqual([{ contentType: 'image/jpeg', dataBase64: JPEG64 }]);
    });

    it('a camera whose server address carries a path prefix is served too', async () => {
      const prefixed = new HttpPushCamera({ server: `${f.server}/argus/push`, deviceId: '12421HHTCS', password: cam.password });
      const [a] = await raised(() => prefixed.alarmReport({ alarm_uuid: 'PFX-1' }), 'alarm_report');
      expect(a.dedupeKey).toBe('PFX-1:START');
    });
  });
});

describe('HTTP push presence', () => {
  it('ONLINE with the first keepalive, OFFLINE after three missed keepintervals, ONLINE again on return', async () => {
    const f = await startPushFixture({ keepaliveSeconds: 1, missedKeepalives: 3 });
    try {
      const device = f.addDevice('KA0001', { password: 'pw' });
      const cam = f.camera({ deviceId: 'KA0001', password: 'pw' });
      const statuses = () => f.of('device.status').filter((e) => e.data.deviceId === device.deviceId).map((e) => e.data.status);
      const res = await cam.keepalive();
      expect(res.json).toEqual({ method: 'keepalive', keepinterval: 1, error: { errorcode: 0, errormsg: '' } });
      cam.startKeepalive();
      await sleep(3500); // keeping alive every second: stays online
      expect(statuses()).toEqual(['ONLINE']);
      cam.stopKeepalive();
      const stoppedAt = Date.now();
      await until(() => statuses().length === 2, 5000, 'OFFLINE');
      expect(Date.now() - stoppedAt).toBeGreaterThan(1900);
      expect(statuses()).toEqual(['ONLINE', 'OFFLINE']);
      const offline = f.of('device.status').filter((e) => e.data.deviceId === device.deviceId)[1]!.data;
      expect(offline).toEqual({ tenantId: 'ten_1', deviceId: device.deviceId, status: 'OFFLINE', at: expect.any(String) });
      await cam.alarmReport(); // any authenticated request counts
      await until(() => statuses().length === 3, 2000, 'ONLINE again');
      expect(statuses()).toEqual(['ONLINE', 'OFFLINE', 'ONLINE']);
    } finally {
      await f.close();
    }
  });
});
