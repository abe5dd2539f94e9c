/**
 * POST /v1/device/tlv_report (§4.4): a binary body of layer-1 records (META, ALAM, AREA), decoded
 * with @argus/protocols. Each record becomes one alarm. Any Content-Type is accepted (the spec only
 * shows application/json, D11).
 *
 * The alarm's code is the ALAM record's vendor type string (tag 0x20010001 of the vendor headers,
 * notes §9) when present, else the record's target name (`META_TARGET_FACE`, …), else `TLV_<head>`.
 * A truncated body or a length past its end is refused (400); over the limits, 413. A known tag
 * whose value has the wrong size is kept as `malformed` (badValue: 'keep'), not refused.
 */
import {
  TlvError, TlvErrorCode, decodeTlvReport, describeTlvRecord, readTlvPts,
  type TlvKnownRecord, type TlvRecord, type TlvRecordView,
} from '@argus/protocols';
import { PushError, PushErrorCode, badRequest } from '../envelope.js';
import { channelIdOf, imageContentType, wallClockToInstant } from '../fields.js';
import type { AlarmStatusName, PushPicture } from '../alarm-payload.js';
import { alarmOf, type ReportContext, type ReportHandler } from './context.js';

/** Vendor ALAM tags (Jovision tlvproto.h; not in the spec). */
export const ALAM_TYPE_TAG = 0x20010001;
export const ALAM_NAME_TAG = 0x20010002;
export const ALAM_STATUS_TAG = 0x20010003;

export const handleTlvReport: ReportHandler = (ctx) => {
  let records: TlvRecord[];
  try {
    records = decodeTlvReport(ctx.body, { badValue: 'keep', maxBodyBytes: ctx.maxBodyBytes, maxValueBytes: ctx.maxBodyBytes });
  } catch (err) {
    if (err instanceof TlvError) {
      if (err.code === TlvErrorCode.TOO_LARGE) throw new PushError(PushErrorCode.TOO_LARGE, `tlv_report: ${err.message}`);
      throw badRequest(`tlv_report: ${err.message} (${err.code})`);
    }
    throw err;
  }
  const known = records.filter((r): r is TlvKnownRecord => r.head !== 'unknown');
  if (known.length === 0) {
    throw badRequest(records.length === 0 ? 'tlv_report: the body holds no TLV record' : 'tlv_report: the body holds no META, ALAM or AREA record');
  }
  return { alarms: known.map((r) => alarmOfRecord(ctx, r)) };
};

function alarmOfRecord(ctx: ReportContext, record: TlvKnownRecord) {
  const view = describeTlvRecord(record);
  const vendor = (tag: number) => view.unknown.find((u) => u.tag === tag)?.bytes;
  const alamType = textOf(vendor(ALAM_TYPE_TAG));
  const alamName = textOf(vendor(ALAM_NAME_TAG));
  const alamStatus = statusOfBytes(vendor(ALAM_STATUS_TAG));
  const code = alamType || view.targetName || (view.target !== undefined ? `META_TARGET_${view.target}` : `TLV_${record.head}`);

  const pictures: PushPicture[] = [];
  for (const bytes of [view.snapshot, view.objPic]) {
    if (bytes && bytes.length > 0) pictures.push({ contentType: imageContentType(bytes), dataBase64: Buffer.from(bytes).toString('base64') });
  }
  const fields = fieldsOf(view);
  fields.head = record.head;
  fields.tag = hex(record.tag);
  if (alamType) fields.alarmType = alamType;
  if (alamName) fields.alarmName = alamName;

  return alarmOf(ctx, {
    kind: 'tlv',
    code,
    status: alamStatus ?? 'PULSE',
    channelId: channelIdOf(ctx.device, view.channelId),
    occurredAt: ptsTime(view.pts, ctx.utcOffsetMinutes),
    description: view.objName || alamName || view.aiName || code,
    ...(record.head === 'META' ? { level: 'INFO' as const } : {}),
    fields,
    pictures,
  });
}

/** The record's fields, JSON-safe: u64 as decimal strings, binary as base64; pictures left out. */
function fieldsOf(view: TlvRecordView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(view)) {
    if (k === 'head' || k === 'snapshot' || k === 'objPic' || k === 'unknown' || k === 'malformed') continue;
    if (k === 'ocrRegions' && Array.isArray(v) && v.length === 0) continue;
    out[k] = jsonSafe(v);
  }
  if (view.unknown.length) out.unknown = view.unknown.map((u) => ({ tag: hex(u.tag), dataBase64: Buffer.from(u.bytes).toString('base64') }));
  if (view.malformed.length) {
    out.malformed = view.malformed.map((m) => ({ tag: hex(m.tag), dataBase64: Buffer.from(m.bytes).toString('base64'), reason: m.reason }));
  }
  return out;
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function textOf(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  const s = Buffer.from(bytes).toString('utf8').replace(/\0+$/, '').trim();
  return s || undefined;
}

/** ALAM status, 1 byte or (as the vendor SDK writes it) 4: 0 stop, 1 start, 2 pulse. */
function statusOfBytes(bytes: Uint8Array | undefined): AlarmStatusName | undefined {
  if (!bytes || (bytes.length !== 1 && bytes.length !== 4)) return undefined;
  const n = bytes.length === 1 ? bytes[0]! : Buffer.from(bytes).readUInt32BE(0);
  return n === 0 ? 'STOP' : n === 1 ? 'START' : n === 2 ? 'PULSE' : undefined;
}

/** PTS: the device wall clock as if UTC, in ms or s (D4) → the instant; null when unreadable. */
function ptsTime(pts: bigint | undefined, utcOffsetMinutes: number | null): Date | null {
  if (pts === undefined || pts === 0n) return null;
  try {
    const { wallClockMs } = readTlvPts(pts, { unit: 'auto' });
    return new Date(wallClockToInstant(wallClockMs, utcOffsetMinutes));
  } catch {
    return null;
  }
}
