import { createHash } from 'node:crypto';
import { badInput } from '@argus/platform';
import {
  ALARM_LEVEL_NAMES, AlarmLevel, AlarmState, AlarmStatus, AlarmType, LIMITS, levelName,
  type AlarmLevelName, type AlarmRecord,
} from './alarm-model.js';

/** Subject of a new alarm. Drivers (access plane) and raiseAlarm publish it; events stores it and streams it. */
export const ALARM_RAISED_SUBJECT = 'alarm.raised';
/** Published by events after a state change (for webhooks and other listeners). */
export const ALARM_ACKNOWLEDGED_SUBJECT = 'alarm.acknowledged';
export const ALARM_CLEARED_SUBJECT = 'alarm.cleared';

/**
 * Payload of `alarm.raised`. What a driver must send: tenantId, deviceId, type (an AlarmType;
 * an unknown string becomes OTHER and is kept as sourceCode when none is given). Everything
 * else has a default: level MINOR, status PULSE, occurredAt = publish time, description ''.
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
 * - attributes: a JSON object (decoded `extends`/`extern`, face or plate details, …), ≤ 16 KiB.
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
  /** Present on events published by events itself (always NEW for a new alarm). */
  state?: AlarmState;
}

export type NormalizeResult = { ok: true; alarm: AlarmRecord } | { ok: false; reason: string };

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

function attributesJson(v: unknown): string | null | undefined {
  if (v == null) return null;
  if (typeof v === 'string') {
    try {
      return attributesJson(JSON.parse(v));
    } catch {
      return attributesJson({ value: v });
    }
  }
  if (typeof v !== 'object' || Array.isArray(v)) return attributesJson({ value: v });
  const json = JSON.stringify(v);
  return json.length <= LIMITS.attributes ? json : undefined;
}

/**
 * Turns an `alarm.raised` payload (from any publisher) into the alarm to store and stream.
 * Refuses only what cannot be an alarm (no tenant or device, malformed ids); lenient elsewhere.
 */
export function alarmFromEvent(data: unknown, event: { id: string; publishedAt: number }): NormalizeResult {
  if (!data || typeof data !== 'object') return { ok: false, reason: 'payload is not an object' };
  const p = data as Record<string, unknown>;
  const tenantId = str(p.tenantId);
  const deviceId = str(p.deviceId);
  if (!tenantId || !ID_SHAPE.test(tenantId)) return { ok: false, reason: 'tenantId missing or malformed' };
  if (!deviceId || !ID_SHAPE.test(deviceId)) return { ok: false, reason: 'deviceId missing or malformed' };
  const channelId = str(p.channelId);
  if (channelId && !ID_SHAPE.test(channelId)) return { ok: false, reason: 'channelId malformed' };
  const alarmId = str(p.alarmId);
  if (alarmId && !ID_SHAPE.test(alarmId)) return { ok: false, reason: 'alarmId malformed' };

  const rawType = str(p.type);
  const type = rawType && (Object.values(AlarmType) as string[]).includes(rawType) ? (rawType as AlarmType) : AlarmType.OTHER;
  let sourceCode = str(p.sourceCode) ?? (type === AlarmType.OTHER && rawType && rawType !== AlarmType.OTHER ? rawType : null);
  if (sourceCode && sourceCode.length > LIMITS.sourceCode) sourceCode = sourceCode.slice(0, LIMITS.sourceCode);
  const rawKey = str(p.dedupeKey);
  const dedupeKey = rawKey ? normalizeDedupeKey(rawKey) : null;
  const published = new Date(event.publishedAt);
  const attributes = attributesJson(p.attributes);

  return {
    ok: true,
    alarm: {
      id: alarmId ?? derivedAlarmId(tenantId, dedupeKey, event.id),
      tenantId,
      deviceId,
      channelId,
      type,
      sourceCode,
      level: parseAlarmLevel(p.level) ?? AlarmLevel.MINOR,
      status: parseAlarmStatus(p.status) ?? AlarmStatus.PULSE,
      state: AlarmState.NEW,
      description: (str(p.description) ?? '').slice(0, LIMITS.description),
      occurredAt: parseTime(p.occurredAt) ?? published,
      receivedAt: parseTime(p.receivedAt) ?? published,
      dedupeKey,
      attributes: attributes === undefined ? JSON.stringify({ truncated: true }) : attributes,
      acknowledgedAt: null,
      acknowledgedBy: null,
      acknowledgeNote: null,
      clearedAt: null,
      clearedBy: null,
    },
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
    dedupeKey: a.dedupeKey,
    attributes: a.attributes ? (JSON.parse(a.attributes) as Record<string, unknown>) : null,
  };
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
  let attributes: string | null = null;
  if (input.attributes != null) {
    if (typeof input.attributes !== 'object' || Array.isArray(input.attributes)) throw badInput('input.attributes', 'must be a JSON object');
    attributes = JSON.stringify(input.attributes);
    if (attributes.length > LIMITS.attributes) throw badInput('input.attributes', `must serialise to at most ${LIMITS.attributes} characters`);
  }
  return { channelId, description, sourceCode, dedupeKey, occurredAt, attributes };
}
