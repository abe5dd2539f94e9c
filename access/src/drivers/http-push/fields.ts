/**
 * Reading the fields of report bodies: lenient about forms a real camera could send (numbers as
 * strings, base64 with or without padding, URL-safe or MIME-wrapped), strict where a value cannot
 * be understood (then the report is refused with a bad-request envelope and nothing is stored).
 */
import { badRequest } from './envelope.js';
import type { AlarmStatusName, PushPicture } from './alarm-payload.js';
import type { PushDevice } from './device-registry.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a JSON request body that must be an object. */
export function parseJsonObject(body: Buffer, what: string): Json {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (!text.trim()) throw badRequest(`${what}: the body is empty; a JSON object is expected`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`${what}: the body is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw badRequest(`${what}: the body must be a JSON object`);
  return value;
}

/** `param` of an envelope request: must be an object. */
export function paramOf(body: Json, what: string): Json {
  const p = body.param;
  if (!isObject(p)) throw badRequest(`${what}: "param" must be a JSON object`);
  return p;
}

export function optString(o: Json, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw badRequest(`${what}: "${key}" must be a string`);
}

/** An integer given as a number or a numeric string. */
export function optInt(o: Json, key: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`${what}: "${key}" must be an integer`);
  return n;
}

export function optNumber(o: Json, key: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw badRequest(`${what}: "${key}" must be a number`);
  return n;
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes base64: standard or URL-safe alphabet, padded or not, with line breaks, optionally as a
 * `data:…;base64,` URI. Anything else (foreign characters, impossible length) is refused.
 */
export function decodeBase64(value: string, what: string): Buffer {
  let s = value.replace(/^data:[^,]{0,100};base64,/i, '').replace(/[\s]+/g, '');
  if (!B64.test(s)) throw badRequest(`${what} is not valid base64 (unexpected characters)`);
  const unpadded = s.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (s.length !== unpadded.length && s.length % 4 !== 0)) {
    throw badRequest(`${what} is not valid base64 (length ${s.length} cannot be base64)`);
  }
  s = unpadded;
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** The content type of an image by its magic bytes; JPEG unless it is clearly something else. */
export function imageContentType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'image/bmp';
  return 'image/jpeg';
}

/** A picture field (`jpeg_base64`, `jpegBase64`): absent or empty → none; bad base64 → refused. */
export function pictureOf(o: Json, keys: readonly string[], what: string): PushPicture | null {
  for (const key of keys) {
    const v = o[key];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw badRequest(`${what}: "${key}" must be a base64 string`);
    const bytes = decodeBase64(v, `${what}: "${key}"`);
    if (bytes.length === 0) continue;
    return { contentType: 'image/jpeg', dataBase64: bytes.toString('base64') };
  }
  return null;
}

/**
 * An extension field (`extends`, `extern`): base64(json) per the spec. Also accepted: the JSON
 * itself (object or JSON text). What is neither is kept as the raw string, not refused — the spec
 * never defines the content (D25) and its own example value is not base64 JSON.
 */
export function extensionOf(v: unknown): { value: unknown; form: 'base64-json' | 'json' | 'raw' } | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (isObject(v) || Array.isArray(v)) return { value: v, form: 'json' };
  if (typeof v !== 'string') return { value: v, form: 'raw' };
  const text = v.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return { value: JSON.parse(text), form: 'json' };
    } catch {
      /* fall through */
    }
  }
  try {
    const decoded = decodeBase64(text, 'extension').toString('utf8').replace(/^\uFEFF/, '').trim();
    if (decoded.startsWith('{') || decoded.startsWith('[')) return { value: JSON.parse(decoded), form: 'base64-json' };
  } catch {
    /* not base64 JSON */
  }
  return { value: v, form: 'raw' };
}

/**
 * Alarm status: `start`/`stop`/`pulse` (alarm_report, any case), 1/0/2 as numbers or strings
 * (event_report; alarm_report per a third-party receiver, D23). Unknown → null.
 */
export function statusOf(v: unknown): AlarmStatusName | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : '';
  switch (s) {
    case 'start': case '1': return 'START';
    case 'stop': case '0': return 'STOP';
    case 'pulse': case '2': return 'PULSE';
    default: return null;
  }
}

/**
 * Device time `YYYY-MM-DD hh:mm:ss` (no zone, D38) → instant. Read at the configured UTC offset of
 * the devices, else in this server's time zone. ISO strings with a zone and epoch numbers (s or ms)
 * are taken as they are. Unreadable → null (the caller falls back to the receive time).
 */
export function deviceTime(v: unknown, utcOffsetMinutes: number | null): Date | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v < 1e11 ? v * 1000 : v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d{9,13}$/.test(s)) return deviceTime(Number(s), utcOffsetMinutes);
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return null;
  const [, y, mo, d, hh, mi, ss, ms, zone] = m;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +hh!, +mi!, ss ? +ss : 0, ms ? +ms.padEnd(3, '0') : 0);
  if (Number.isNaN(wall) || +mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +hh! > 23 || +mi! > 59 || (ss ? +ss > 60 : false)) return null;
  return new Date(wallClockToInstant(wall, zone ? zoneMinutes(zone) : utcOffsetMinutes));
}

function zoneMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** A wall-clock time counted as if UTC → the real instant, at a UTC offset or in the server's zone. */
export function wallClockToInstant(wallMs: number, utcOffsetMinutes: number | null): number {
  if (utcOffsetMinutes !== null) return wallMs - utcOffsetMinutes * 60_000;
  // server-local: the offset in effect at that local time (two passes settle DST edges)
  let t = wallMs + new Date(wallMs).getTimezoneOffset() * 60_000;
  t = wallMs + new Date(t).getTimezoneOffset() * 60_000;
  return t;
}

/**
 * The Argus channel of a device channel number. Argus numbers channels from 1; the spec's examples
 * use 1 (alarm_report) and "always 0 on an IPC" (event_report, D28). So: the channel with that
 * index, and for 0 (never an Argus index) the device's channel 1.
 */
export function channelIdOf(device: PushDevice, n: number | undefined | null): string | null {
  if (n === undefined || n === null || !Number.isInteger(n)) return null;
  const exact = device.channels.find((c) => c.index === n);
  if (exact) return exact.id;
  if (n === 0) return device.channels.find((c) => c.index === 1)?.id ?? null;
  return null;
}
