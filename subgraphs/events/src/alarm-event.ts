import { createHash } from 'node:crypto';
import { badInput } from '@argus/platform';
import {
  ALARM_LEVEL_NAMES, AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType, LIMITS, levelName,
  type AlarmLevelName, type AlarmRecord,
} from './alarm-model.js';
import { classifyAlarm } from './taxonomy/index.js';
import { extractPictures, parseStoredPictures, type PictureUpload } from './pictures.js';

/** Subject of a new alarm. Drivers (access plane) and raiseAlarm publish it; events stores it and streams it. */
export const ALARM_RAISED_SUBJECT = 'alarm.raised';
/** Published by events after a state change (for webhooks and other listeners). */
export const ALARM_ACKNOWLEDGED_SUBJECT = 'alarm.acknowledged';
export const ALARM_CLEARED_SUBJECT = 'alarm.cleared';

/**
 * Payload of `alarm.raised`. What a driver must send: tenantId, deviceId, type (an AlarmType, or
 * the vendor's code: the taxonomy maps it, see taxonomy/; an unknown code becomes OTHER and is
 * kept as sourceCode). Everything else has a default: level = the taxonomy's for the type, status
 * PULSE, occurredAt = publish time, description = the taxonomy's English name, or ''.
 *
 * - alarmId: leave it out in drivers; events derives a stable id (from tenantId + dedupeKey,
 *   else from the bus event id) so the stored alarm and the live subscription agree.
 * - level: 'INFO' | 'MINOR' | 'MAJOR' | 'CRITICAL' or 1–4.
 * - status: 'START' | 'STOP' | 'PULSE', also accepted as 'start'/'stop'/'pulse' (alarm_report)
 *   and 1/0/2 or '1'/'0'/'2' (event_report: 0 stop, 1 start, 2 pulse).
 * - occurredAt / receivedAt: ISO 8601 string or epoch milliseconds (drivers convert device-local times).
 * - dedupeKey: the vendor's unique id of this report (e.g. alarm_uuid). Unique per tenant: a second
 *   alarm with the same key is dropped. When a vendor reuses one uuid for start and stop, make
 *   the key distinct per status (e.g. `${alarm_uuid}/${status}`).
 * - source: 'HTTP_PUSH' | 'CMIOT' | 'HUAWEI' | 'ISUP' (also 'http-push', …), else attributes.source.
 * - attributes: a JSON object (decoded `extends`/`extern`, face or plate details, …); ≤ 16 KiB once
 *   pictures are taken out (longer strings inside are then replaced by { omitted: <length> }).
 *   attributes.pictures: [{ contentType, dataBase64, name? }] — JPEG/PNG ≤ 5 MiB each, stored in
 *   the blob store and served as Alarm.pictures (bad ones are dropped with a warning, never the alarm).
 */
export interface AlarmRaisedEvent {
  alarmId?: string;
  tenantId: string;
  deviceId: string;
  channelId?: string | null;
  type: AlarmType | string;
  level?: AlarmLevelName | AlarmLevel | number | null;
  status?: AlarmStatus | string | number | null;
  occurredAt?: string | number | null;
  receivedAt?: string | number | null;
  sourceCode?: string | null;
  dedupeKey?: string | null;
  attributes?: Record<string, unknown> | null;
  description?: string | null;
  source?: AlarmSource | string | null;
  /** Present on events published by events itself (always NEW for a new alarm). */
  state?: AlarmState;
}

export type NormalizeResult =
  | {
      ok: true;
      alarm: AlarmRecord;
      /** Pictures to write to the blob store before storing the alarm (keys as in alarm.pictures). */
      uploads: PictureUpload[];
      /** Pictures dropped, and why. */
      warnings: string[];
    }
  | { ok: false; reason: string };

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_SHAPE = /^[A-Za-z0-9_-]{1,40}$/;

function hashId(prefix: string, input: string): string {
  const digest = createHash('sha256').update(input).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += ID_ALPHABET[digest[i]! & 31];
  return `${prefix}_${out}`;
}

/**
 * The id of an alarm that arrives without one: stable for a (tenant, dedupeKey), else for the
 * bus event, so every process that sees the same event computes the same id.
 */
export function derivedAlarmId(tenantId: string, dedupeKey: string | null, eventId: string): string {
  return dedupeKey ? hashId('alm', `dedupe|${tenantId}|${dedupeKey}`) : hashId('alm', `event|${eventId}`);
}

/** Keys longer than the column are replaced by their digest (never truncated: that could merge alarms). */
export function normalizeDedupeKey(key: string): string {
  return key.length <= LIMITS.dedupeKey ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function parseTime(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v);
  if (typeof v === 'string' && v.trim()) {
    const d = new Date(/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

export function parseAlarmLevel(v: unknown): AlarmLevel | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4) return v as AlarmLevel;
  if (typeof v === 'string') {
    const i = ALARM_LEVEL_NAMES.indexOf(v.trim().toUpperCase() as AlarmLevelName);
    if (i >= 0) return (i + 1) as AlarmLevel;
    if (/^[1-4]$/.test(v.trim())) return Number(v.trim()) as AlarmLevel;
  }
  return null;
}

export function parseAlarmStatus(v: unknown): AlarmStatus | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toUpperCase() : '';
  switch (s) {
    case 'START': case '1': return AlarmStatus.START;
    case 'STOP': case '0': return AlarmStatus.STOP;
    case 'PULSE': case '2': return AlarmStatus.PULSE;
    default: return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);

function attributesObject(v: unknown): Record<string, unknown> | null {
  if (v == null) return null;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed != null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      return { value: v };
    }
  }
  if (typeof v !== 'object' || Array.isArray(v)) return { value: v };
  return v as Record<string, unknown>;
}

const OMIT_STRINGS_OVER = 256;

function omitLongStrings(v: unknown): unknown {
  if (typeof v === 'string') return v.length > OMIT_STRINGS_OVER ? { omitted: v.length } : v;
  if (Array.isArray(v)) return v.map(omitLongStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, omitLongStrings(x)]));
  return v;
}

/**
 * JSON text of attributes within LIMITS.attributes: as is when it fits; else with every string
 * longer than 256 characters replaced by { omitted: <length> } and `truncated: true`; else only
 * { truncated: true } with `source` and `kind` kept.
 */
export function attributesJson(v: Record<string, unknown> | null): string | null {
  if (v == null) return null;
  const json = JSON.stringify(v);
  if (json.length <= LIMITS.attributes) return json;
  const slim = JSON.stringify({ ...(omitLongStrings(v) as Record<string, unknown>), truncated: true });
  if (slim.length <= LIMITS.attributes) return slim;
  const keep: Record<string, unknown> = { truncated: true };
  for (const k of ['source', 'kind'] as const) if (typeof v[k] === 'string' && (v[k] as string).length <= 64) keep[k] = v[k];
  return JSON.stringify(keep);
}

/** Parsed results per payload object: every subscriber of one bus event shares one parse (pictures are decoded once). */
const parsedPayloads = new WeakMap<object, { eventId: string; result: NormalizeResult }>();

/**
 * Turns an `alarm.raised` payload (from any publisher) into the alarm to store and stream.
 * Refuses only what cannot be an alarm (no tenant or device, malformed ids); lenient elsewhere:
 * the vendor code is classified by the taxonomy, bad pictures are dropped with a warning.
 */
export function alarmFromEvent(data: unknown, event: { id: string; publishedAt: number }): NormalizeResult {
  if (!data || typeof data !== 'object') return { ok: false, reason: 'payload is not an object' };
  const cached = parsedPayloads.get(data);
  if (cached && cached.eventId === event.id) return cached.result;
  const result = parseAlarmEvent(data as Record<string, unknown>, event);
  parsedPayloads.set(data, { eventId: event.id, result });
  return result;
}

function parseAlarmEvent(p: Record<string, unknown>, event: { id: string; publishedAt: number }): NormalizeResult {
  const tenantId = str(p.tenantId);
  const deviceId = str(p.deviceId);
  if (!tenantId || !ID_SHAPE.test(tenantId)) return { ok: false, reason: 'tenantId missing or malformed' };
  if (!deviceId || !ID_SHAPE.test(deviceId)) return { ok: false, reason: 'deviceId missing or malformed' };
  const channelId = str(p.channelId);
  if (channelId && !ID_SHAPE.test(channelId)) return { ok: false, reason: 'channelId malformed' };
  const alarmId = str(p.alarmId);
  if (alarmId && !ID_SHAPE.test(alarmId)) return { ok: false, reason: 'alarmId malformed' };

  const rawAttributes = attributesObject(p.attributes);
  const target = rawAttributes?.target ?? rawAttributes?.targetName;
  const classified = classifyAlarm({
    type: str(p.type),
    sourceCode: str(p.sourceCode),
    source: str(p.source) ?? str(rawAttributes?.source),
    kind: str(rawAttributes?.kind),
    target: typeof target === 'number' || typeof target === 'string' ? target : null,
  });
  let sourceCode = classified.sourceCode;
  if (sourceCode && sourceCode.length > LIMITS.sourceCode) sourceCode = sourceCode.slice(0, LIMITS.sourceCode);
  const rawKey = str(p.dedupeKey);
  const dedupeKey = rawKey ? normalizeDedupeKey(rawKey) : null;
  const published = new Date(event.publishedAt);
  const id = alarmId ?? derivedAlarmId(tenantId, dedupeKey, event.id);
  const pictures = extractPictures(rawAttributes, { tenantId, alarmId: id });

  return {
    ok: true,
    alarm: {
      id,
      tenantId,
      deviceId,
      channelId,
      type: classified.type,
      sourceCode,
      source: classified.source,
      level: parseAlarmLevel(p.level) ?? classified.level,
      status: parseAlarmStatus(p.status) ?? AlarmStatus.PULSE,
      state: AlarmState.NEW,
      description: (str(p.description) ?? classified.entry?.name ?? '').slice(0, LIMITS.description),
      occurredAt: parseTime(p.occurredAt) ?? published,
      receivedAt: parseTime(p.receivedAt) ?? published,
      dedupeKey,
      attributes: attributesJson(pictures.attributes),
      pictures: pictures.pictures.length ? JSON.stringify(pictures.pictures) : null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      acknowledgeNote: null,
      clearedAt: null,
      clearedBy: null,
    },
    uploads: pictures.uploads,
    warnings: pictures.warnings,
  };
}

/** The `alarm.raised` payload for a stored alarm (what raiseAlarm publishes). */
export function alarmRaisedEventOf(a: AlarmRecord): Required<Omit<AlarmRaisedEvent, 'level'>> & { level: AlarmLevelName } {
  return {
    alarmId: a.id,
    tenantId: a.tenantId,
    deviceId: a.deviceId,
    channelId: a.channelId,
    type: a.type,
    level: levelName(a.level),
    status: a.status,
    state: a.state,
    description: a.description,
    occurredAt: a.occurredAt.toISOString(),
    receivedAt: a.receivedAt.toISOString(),
    sourceCode: a.sourceCode,
    source: a.source,
    dedupeKey: a.dedupeKey,
    attributes: publishedAttributes(a),
  };
}

/** Attributes as published: the stored JSON, plus the stored pictures' references (no picture data). */
function publishedAttributes(a: AlarmRecord): Record<string, unknown> | null {
  const attributes = a.attributes ? (JSON.parse(a.attributes) as Record<string, unknown>) : null;
  const pictures = parseStoredPictures(a.pictures);
  if (!pictures.length) return attributes;
  return { ...(attributes ?? {}), pictures };
}

/** What raiseAlarm accepts (the GraphQL input has these fields). */
export interface RaiseAlarmInputShape {
  channelId: string;
  type: AlarmType;
  level: AlarmLevel;
  status: AlarmStatus;
  description: string;
  occurredAt?: Date | null;
  sourceCode?: string | null;
  dedupeKey?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** Clock skew tolerated for an occurredAt in the future. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** Checks raiseAlarm input before anything is written; BAD_USER_INPUT names the field. */
export function checkRaiseAlarmInput(input: RaiseAlarmInputShape, now = new Date()) {
  const channelId = input.channelId?.trim() ?? '';
  if (!channelId) throw badInput('input.channelId', 'is required');
  const description = (input.description ?? '').trim();
  if (description.length > LIMITS.description) throw badInput('input.description', `must be at most ${LIMITS.description} characters`);
  const sourceCode = input.sourceCode?.trim() || null;
  if (sourceCode && sourceCode.length > LIMITS.sourceCode) throw badInput('input.sourceCode', `must be at most ${LIMITS.sourceCode} characters`);
  let dedupeKey: string | null = null;
  if (input.dedupeKey != null) {
    dedupeKey = input.dedupeKey.trim();
    if (!dedupeKey) throw badInput('input.dedupeKey', 'must not be empty (leave it out instead)');
    if (dedupeKey.length > LIMITS.dedupeKey) throw badInput('input.dedupeKey', `must be at most ${LIMITS.dedupeKey} characters`);
  }
  const occurredAt = input.occurredAt ?? now;
  if (Number.isNaN(occurredAt.getTime())) throw badInput('input.occurredAt', 'is not a valid date-time');
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
    throw badInput('input.occurredAt', `is in the future (${occurredAt.toISOString()}); at most ${MAX_FUTURE_SKEW_MS / 60_000} minutes of clock skew are accepted`);
  }
  if (input.attributes != null && (typeof input.attributes !== 'object' || Array.isArray(input.attributes))) {
    throw badInput('input.attributes', 'must be a JSON object');
  }
  // pictures are checked (and refused) here, before anything is written; their keys need the alarm id
  const pictures = extractPictures(input.attributes ?? null, { tenantId: 'check', alarmId: 'check' }, { strict: true, field: 'input.attributes' });
  let attributes: string | null = null;
  if (pictures.attributes != null) {
    attributes = JSON.stringify(pictures.attributes);
    if (attributes.length > LIMITS.attributes) throw badInput('input.attributes', `must serialise to at most ${LIMITS.attributes} characters (pictures not counted)`);
  }
  return { channelId, description, sourceCode, dedupeKey, occurredAt, attributes, hasPictures: pictures.uploads.length > 0 };
}
