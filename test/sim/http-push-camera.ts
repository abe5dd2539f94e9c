/**
 * A simulated camera speaking the HTTP push protocol (shared/specs/camera-http-push-protocol.txt):
 * a real HTTP client (node:http, so the keepalive can be a GET with a body, as the spec has it)
 * doing digest authentication the way the spec's devices do — send, on 401 take the challenge, save
 * the Authorization parameters, resend; reuse the nonce until the server says stale=true.
 *
 * Every report type is built with the spec's field names; TLV bodies with the @argus/protocols encoder.
 */
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import {
  encodeTlvReport, tlvItem, tlvRecord, MetaTarget,
  type TlvItem, type TlvKnownRecord, type TlvRecord,
} from '@argus/protocols';

export const PATHS = {
  keepalive: '/v1/device/keepalive',
  alarm: '/v1/uns/reviceMonitorPointRecord/alarm_report',
  event: '/v1/device/event_report',
  tlv: '/v1/device/tlv_report',
  environment: '/rs/env/reportData.do',
  temperature: '/v1/uns/reviceMonitorPointRecord/report_temper_data',
  snapshot: '/v1/device/snap_report',
} as const;

/** The smallest useful JPEG (SOI … EOI); decoders may refuse it, the protocol does not care. */
export const TINY_JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAARCAABAAEDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==', 'base64');

export interface PushResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed envelope (null when the body is not JSON). */
  json: { method?: string; keepinterval?: number; error?: { errorcode: number; errormsg: string } } | null;
  /** How many 401 challenges were answered on the way. */
  challenges: number;
}

export interface CameraOptions {
  /** The one server address of the camera's UI (§2), e.g. http://127.0.0.1:8090 (may carry a path prefix). */
  server: string;
  /** Device id (CloudSEE number), sent as User-Identify and in the bodies. */
  deviceId: string;
  password: string;
  username?: string;
  deviceName?: string;
  /** `hex8` (RFC: 00000001) or `decimal` (the spec's example: nc=42). */
  ncFormat?: 'hex8' | 'decimal';
  /** Send User-Identify (default true). */
  sendUserIdentify?: boolean;
}

interface Challenge {
  realm: string;
  nonce: string;
  qop?: string;
  algorithm?: string;
  opaque?: string;
  stale: boolean;
}

function parseChallenge(header: string | undefined): Challenge | null {
  if (!header || !/^\s*digest\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.replace(/^\s*digest\s+/i, '').matchAll(/([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  if (params.realm === undefined || params.nonce === undefined) return null;
  return { realm: params.realm, nonce: params.nonce, qop: params.qop, algorithm: params.algorithm, opaque: params.opaque, stale: params.stale?.toLowerCase() === 'true' };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** `YYYY-MM-DD hh:mm:ss` in the local time zone, the spec's time format. */
export function deviceTimeString(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export class HttpPushCamera {
  readonly deviceId: string;
  readonly deviceName: string;
  password: string;
  username: string;
  private challenge: Challenge | null = null;
  private nc = 0;
  /** The last Authorization header sent (for replay tests). */
  lastAuthorization: string | null = null;
  /** keepinterval the server answered last (seconds). */
  keepinterval = 60;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly base: URL;

  constructor(readonly options: CameraOptions) {
    this.deviceId = options.deviceId;
    this.deviceName = options.deviceName ?? 'HD IPC';
    this.password = options.password;
    this.username = options.username ?? 'admin';
    this.base = new URL(options.server);
  }

  /** Forgets the saved challenge (as after a reboot). */
  reset(): void {
    this.challenge = null;
    this.nc = 0;
  }

  private authorization(method: string, uri: string): string | null {
    const c = this.challenge;
    if (!c) return null;
    this.nc++;
    const nc = this.options.ncFormat === 'decimal' ? String(this.nc) : this.nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(16).toString('hex');
    const qop = c.qop ? 'auth' : undefined;
    const ha1 = md5(`${this.username}:${c.realm}:${this.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const response = qop ? md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
    // the spec's own layout: no spaces, algorithm quoted, qop bare
    let h = `Digest username="${this.username}",realm="${c.realm}",nonce="${c.nonce}",uri="${uri}",response="${response}",algorithm="MD5"`;
    if (qop) h += `,qop=${qop},nc=${nc},cnonce="${cnonce}"`;
    if (c.opaque) h += `,opaque="${c.opaque}"`;
    return h;
  }

  private raw(method: string, path: string, body: Buffer | null, contentType: string, authorization: string | null, extraHeaders: Record<string, string>): Promise<Omit<PushResponse, 'challenges'>> {
    const prefix = this.base.pathname.replace(/\/$/, '');
    const headers: Record<string, string> = { 'content-type': contentType, ...extraHeaders };
    if (body) headers['content-length'] = String(body.length);
    if (authorization) headers.authorization = authorization;
    if (this.options.sendUserIdentify !== false) headers['user-identify'] = this.deviceId;
    return new Promise((resolve, reject) => {
      const req = request({ host: this.base.hostname, port: this.base.port || 80, method, path: prefix + path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: PushResponse['json'] = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  }

  /**
   * Sends a request the way the spec's device does: with the saved Authorization if it has one; on
   * 401 with a challenge, saves it and resends (at most twice).
   */
  async send(method: string, path: string, body: Buffer | string | object | null, options: { contentType?: string; headers?: Record<string, string> } = {}): Promise<PushResponse> {
    const bytes = body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const contentType = options.contentType ?? 'application/json;charset=utf-8';
    const uri = this.base.pathname.replace(/\/$/, '') + path;
    let challenges = 0;
    for (;;) {
      const auth = this.authorization(method, uri);
      this.lastAuthorization = auth;
      const res = await this.raw(method, path, bytes, contentType, auth, options.headers ?? {});
      if (res.status === 401 && challenges < 2) {
        const c = parseChallenge(res.headers['www-authenticate'] as string | undefined);
        // a fresh challenge, or stale=true: take the new nonce and go again; otherwise the password is wrong
        if (c && (auth === null || c.stale)) {
          this.challenge = c;
          this.nc = 0;
          challenges++;
          continue;
        }
      }
      return { ...res, challenges };
    }
  }

  /** Sends a header exactly as given (replaying a saved Authorization byte for byte). */
  async sendWithAuthorization(method: string, path: string, body: object | Buffer | null, authorization: string): Promise<PushResponse> {
    const bytes = body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return { ...(await this.raw(method, path, bytes, 'application/json;charset=utf-8', authorization, {})), challenges: 0 };
  }

  // ---------------------------------------------------------------- interfaces

  /** §4.2: GET with a JSON body. Adopts the answered keepinterval. */
  async keepalive(channelNum = 0): Promise<PushResponse> {
    const res = await this.send('GET', PATHS.keepalive, {
      method: '',
      param: { deviceId: this.deviceId, channelNum, deviceName: this.deviceName, time: deviceTimeString() },
    });
    if (res.status === 200 && typeof res.json?.keepinterval === 'number') this.keepinterval = res.json.keepinterval;
    return res;
  }

  /** Keeps alive every `keepinterval` seconds (as answered) until stopKeepalive(). */
  startKeepalive(onError: (err: unknown) => void = () => undefined): void {
    const tick = async () => {
      try {
        await this.keepalive();
      } catch (err) {
        onError(err);
      }
      if (this.keepaliveTimer) this.keepaliveTimer = setTimeout(tick, this.keepinterval * 1000);
    };
    this.keepaliveTimer = setTimeout(tick, 0);
  }

  stopKeepalive(): void {
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  /** §4.3.1 #1. */
  alarmReport(param: Partial<AlarmReportParam> = {}): Promise<PushResponse> {
    const time = param.time ?? deviceTimeString();
    const channel = param.channel_id ?? 1;
    const type = param.alarm_type ?? 'ebike_detection';
    const body = {
      method: 'alarm_report',
      param: {
        device_id: this.deviceId,
        device_name: this.deviceName,
        channel_id: channel,
        alarm_type: type,
        time,
        status: 'start',
        jpeg_base64: TINY_JPEG.toString('base64'),
        alarm_uuid: `${this.deviceId}/${channel}/${type}/${time}/1`,
        alarm_msg: 'e-bike in the lift',
        extends: Buffer.from(JSON.stringify({ thumbnail_file_path: '/dev/sda/20221013/A011173757.jpg' })).toString('base64'),
        ...param,
      },
    };
    return this.send('POST', PATHS.alarm, body);
  }

  /** §4.3.1 #2. */
  eventReport(param: Record<string, unknown> = {}): Promise<PushResponse> {
    return this.send('POST', PATHS.event, {
      method: 'event_report',
      param: {
        device_id: this.deviceId,
        device_name: this.deviceName,
        channel_type: 0,
        channel_id: 0,
        event: 1,
        type: 'dual_parking_whitelist',
        typeName: 'Whitelisted vehicle',
        time: deviceTimeString(),
        status: 1,
        extern: Buffer.from(JSON.stringify(DUAL_PARKING_EXTERN)).toString('base64'),
        jpeg_base64: TINY_JPEG.toString('base64'),
        ...param,
      },
    });
  }

  /** §4.3.1 #3: records encoded with the protocols' TLV encoder. */
  tlvReport(records: TlvRecord[] | Buffer, contentType = 'application/octet-stream'): Promise<PushResponse> {
    const body = Buffer.isBuffer(records) ? records : Buffer.from(encodeTlvReport(records));
    return this.send('POST', PATHS.tlv, body, { contentType });
  }

  /** §4.3.1 #4 (no envelope). */
  environmentReport(body: Record<string, unknown> = {}): Promise<PushResponse> {
    return this.send('POST', PATHS.environment, {
      deviceNo: this.deviceId,
      time: deviceTimeString(),
      data: { '@0': 0, '@1': 0, '@2': 0, '@3': 0, '@4': 0, '@5': 0, '@6': 0, '@7': 0, '@8': 0, '@9': 0 },
      alarm: { '@0': 0, '@1': 1 },
      ...body,
    });
  }

  /** §4.3.1 #5. */
  temperatureReport(rects: { id: number; name: string; temper: number; over_threshold: number }[] = [{ id: 0, name: 'rect 1', temper: 30.1, over_threshold: 100 }], channel = 1): Promise<PushResponse> {
    return this.send('POST', PATHS.temperature, {
      method: 'report_temper_data',
      param: { device_id: this.deviceId, device_name: this.deviceName, channel_id: channel, temper_rect: rects },
    });
  }

  /** §4.3.1 #6, as intended (the spec's example is malformed). */
  snapshotReport(mid = 2, name = 'T01140300.jpg', picture: string = TINY_JPEG.toString('base64')): Promise<PushResponse> {
    return this.send('POST', PATHS.snapshot, {
      mid,
      method: 'snap_report',
      param: { deviceID: this.deviceId, deviceName: this.deviceName, name, jpegBase64: picture },
    });
  }
}

export interface AlarmReportParam {
  device_id: string;
  device_name: string;
  channel_id: number;
  alarm_type: string;
  time: string;
  status: string;
  jpeg_base64: string;
  alarm_uuid: string;
  alarm_msg: string;
  extends: string;
}

export const DUAL_PARKING_EXTERN = {
  parking_id: 0, parking_name: '', plate_no: '京J66666', plate_type: 2, plate_color: 1, vehicle_type: 1,
  vehicle_color: 4, vehicle_orient: 1, entry_type: 'whitelist', lock_id: '', entry_plate_no: '',
};

/** §4.4.2: a face-attribute record (FACE_INFO = 1) carrying every base and face tag. */
export function faceRecord(deviceId: string, channel = 1, pts = BigInt(Date.now())): TlvKnownRecord {
  const items: TlvItem[] = [
    tlvItem('target', MetaTarget.META_TARGET_FACE),
    tlvItem('aiName', 'jovision-face'),
    tlvItem('deviceId', deviceId),
    tlvItem('channelId', channel),
    tlvItem('pts', pts),
    tlvItem('picSize', { width: 1920, height: 1080 }),
    tlvItem('objRect', { x: 10, y: 20, width: 64, height: 80 }),
    tlvItem('objId', 123456789012345n),
    tlvItem('objPic', new Uint8Array(TINY_JPEG)),
    tlvItem('snapshot', new Uint8Array(TINY_JPEG)),
    tlvItem('objName', 'visitor'),
    tlvItem('faceInfo', 1),
    tlvItem('faceGender', 2),
    tlvItem('faceAgeGroup', 3),
    tlvItem('faceMask', 1),
    tlvItem('faceExpression', 1),
    tlvItem('faceHat', 0),
    tlvItem('faceBeard', 0),
    tlvItem('faceHair', 1),
    tlvItem('faceGlass', 2),
    tlvItem('faceFeature', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])),
    tlvItem('faceSimilarity', 9876),
    tlvItem('faceLiveness', 1),
    tlvItem('faceId', new Uint8Array([0xfa, 0xce])),
    tlvItem('faceTemperature', 3650),
  ];
  return tlvRecord('META', items);
}

/** §4.4.3: customer-flow counts. */
export function customerFlowRecord(deviceId: string, channel = 1, pts = BigInt(Date.now())): TlvKnownRecord {
  return tlvRecord('META', [
    tlvItem('target', MetaTarget.META_TARGET_CUSTOMER_COUNTER),
    tlvItem('aiName', 'jovision-flow'),
    tlvItem('deviceId', deviceId),
    tlvItem('channelId', channel),
    tlvItem('pts', pts),
    tlvItem('customerCountIn', 12),
    tlvItem('customerCountOut', 7),
    tlvItem('customerPass', 30),
    tlvItem('customerCountKeep', 5),
  ]);
}

/** §4.4.4: character recognition with two regions. */
export function ocrRecord(deviceId: string, pts = BigInt(Date.now())): TlvKnownRecord {
  const quad = (x: number) => [{ x, y: 1 }, { x: x + 10, y: 1 }, { x: x + 10, y: 9 }, { x, y: 9 }] as [{ x: number; y: number }, { x: number; y: number }, { x: number; y: number }, { x: number; y: number }];
  return tlvRecord('META', [
    tlvItem('target', MetaTarget.META_TARGET_OCR),
    tlvItem('aiName', 'jovision-ocr'),
    tlvItem('deviceId', deviceId),
    tlvItem('pts', pts),
    tlvItem('picSize', { width: 1280, height: 720 }),
    tlvItem('snapshot', new Uint8Array(TINY_JPEG)),
    tlvItem('ocrRegionNum', 2),
    tlvItem('ocrRegionPoints', quad(0)),
    tlvItem('ocrRegionName', 'meter'),
    tlvItem('ocrText', '0042.7'),
    tlvItem('ocrConfidence', 9500),
    tlvItem('ocrEachConfidence', [9000, 9100, 9200, 9300, 9400, 9500]),
    tlvItem('ocrRegionPoints', quad(20)),
    tlvItem('ocrRegionName', 'plate'),
    tlvItem('ocrText', '京J66666'),
    tlvItem('ocrConfidence', 8800),
    tlvItem('ocrEachConfidence', [8800, 8800]),
  ]);
}

/** An ALAM record with the vendor type/status tags (0x20010001/0x20010003, notes §9). */
export function alamRecord(deviceId: string, type = 'ebike_det', status = 1, channel = 1): TlvKnownRecord {
  const u32 = Buffer.alloc(4);
  u32.writeUInt32BE(status);
  return tlvRecord('ALAM', [
    tlvItem('target', MetaTarget.META_TARGET_NONMOTOR_VEHICLE),
    tlvItem('deviceId', deviceId),
    tlvItem('channelId', channel),
    tlvItem('pts', BigInt(Date.now())),
    { field: 'unknown', tag: 0x20010001, bytes: new Uint8Array(Buffer.from(type)) },
    { field: 'unknown', tag: 0x20010003, bytes: new Uint8Array(u32) },
  ]);
}
