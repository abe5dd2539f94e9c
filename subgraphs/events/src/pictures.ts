import { badInput, isBlobKey, sniffImageType } from '@argus/platform';
import { LIMITS, type StoredPicture } from './alarm-model.js';

/** A picture to write to the blob store before the alarm is stored. */
export interface PictureUpload {
  key: string;
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  name?: string;
}

export interface PictureExtraction {
  /** The attributes without any picture data (null when nothing else was in them). */
  attributes: Record<string, unknown> | null;
  /** Every picture of the alarm, in order: uploads first written, then already stored ones. */
  pictures: StoredPicture[];
  uploads: PictureUpload[];
  /** Why pictures were dropped (bus payloads keep the alarm and drop the picture). */
  warnings: string[];
}

/** Attribute keys that carry pictures: the bus contract's `pictures`, and raw report fields a driver may leave in. */
const RAW_PICTURE_KEYS = ['jpeg_base64', 'jpegBase64'] as const;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATA_URL = /^data:[^;,]*;base64,/i;

/** Blob key of picture `index` of an alarm: `alarms/<tenantId>/<alarmId>/<index>.<jpg|png>`. */
export function pictureKey(tenantId: string, alarmId: string, index: number, contentType: string): string {
  return `alarms/${tenantId}/${alarmId}/${index}.${contentType === 'image/png' ? 'png' : 'jpg'}`;
}

/** Bytes of a base64 string (standard or url-safe, whitespace and a data: prefix tolerated), or why not. */
export function decodePictureBase64(text: string, maxBytes: number): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  const s = text.replace(DATA_URL, '').replace(/\s+/g, '');
  if (!s) return { ok: false, reason: 'is empty' };
  if (!BASE64.test(s) || s.length % 4 === 1) return { ok: false, reason: 'is not valid base64' };
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const estimated = Math.floor((s.length * 3) / 4) - padding;
  if (estimated > maxBytes) return { ok: false, reason: `is ${estimated} bytes, more than the ${maxBytes} allowed` };
  const bytes = Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
  if (bytes.length === 0) return { ok: false, reason: 'is empty' };
  return { ok: true, bytes };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);

/**
 * Takes the pictures out of an alarm's attributes: `attributes.pictures[]` entries
 * `{ contentType, dataBase64, name? }` (new pictures, from drivers or raiseAlarm) or
 * `{ key, contentType, size }` (already stored, when events re-publishes an alarm), and raw
 * `jpeg_base64` / `jpegBase64` fields. New pictures must be JPEG or PNG (by their magic bytes),
 * at most LIMITS.pictureBytes. `strict` (raiseAlarm) refuses a bad picture with BAD_USER_INPUT;
 * otherwise (bus payloads) it is dropped with a warning and the alarm kept.
 */
export function extractPictures(
  attributes: Record<string, unknown> | null | undefined,
  owner: { tenantId: string; alarmId: string },
  options: { strict?: boolean; field?: string; maxBytes?: number } = {},
): PictureExtraction {
  const result: PictureExtraction = { attributes: attributes ?? null, pictures: [], uploads: [], warnings: [] };
  if (!attributes || typeof attributes !== 'object') return result;
  const field = options.field ?? 'attributes';
  const maxBytes = options.maxBytes ?? LIMITS.pictureBytes;
  const rest: Record<string, unknown> = { ...attributes };
  const candidates: Array<{ where: string; value: unknown }> = [];
  if ('pictures' in rest) {
    const list = rest.pictures;
    delete rest.pictures;
    if (Array.isArray(list)) list.forEach((value, i) => candidates.push({ where: `${field}.pictures[${i}]`, value }));
    else if (list != null) candidates.push({ where: `${field}.pictures`, value: list });
  }
  for (const k of RAW_PICTURE_KEYS) {
    if (!(k in rest)) continue;
    const v = rest[k];
    delete rest[k];
    // the spec's examples carry placeholders ("jpeg_base64") or "" when there is no picture
    if (typeof v === 'string' && v.length > 64) candidates.push({ where: `${field}.${k}`, value: { dataBase64: v } });
  }
  const refuse = (where: string, reason: string) => {
    if (options.strict) throw badInput(where, reason);
    result.warnings.push(`${where} ${reason}; picture dropped`);
  };
  const prefix = `alarms/${owner.tenantId}/`;
  candidates.forEach(({ where, value }, index) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return refuse(where, 'must be an object { contentType, dataBase64 }');
    const p = value as Record<string, unknown>;
    if (result.pictures.length >= LIMITS.pictures) return refuse(where, `is beyond the ${LIMITS.pictures} pictures kept per alarm`);
    const name = text(p.name)?.slice(0, 255);
    if (typeof p.dataBase64 !== 'string' && typeof p.key === 'string') {
      // a picture already stored (re-published alarm): only keys of this tenant's alarms are honoured
      if (!isBlobKey(p.key) || !p.key.startsWith(prefix)) return refuse(where, 'key is not a picture of this tenant');
      result.pictures.push({
        key: p.key,
        contentType: text(p.contentType) ?? 'application/octet-stream',
        size: typeof p.size === 'number' && Number.isFinite(p.size) ? p.size : 0,
        ...(name ? { name } : {}),
      });
      return;
    }
    if (typeof p.dataBase64 !== 'string') return refuse(`${where}.dataBase64`, 'is required (a base64 JPEG or PNG)');
    const decoded = decodePictureBase64(p.dataBase64, maxBytes);
    if (!decoded.ok) return refuse(`${where}.dataBase64`, decoded.reason);
    const contentType = sniffImageType(decoded.bytes);
    if (!contentType) return refuse(`${where}.dataBase64`, 'is not a JPEG or PNG picture');
    const key = pictureKey(owner.tenantId, owner.alarmId, index, contentType);
    result.uploads.push({ key, bytes: decoded.bytes, contentType, ...(name ? { name } : {}) });
    result.pictures.push({ key, contentType, size: decoded.bytes.length, ...(name ? { name } : {}) });
  });
  result.attributes = Object.keys(rest).length || candidates.length === 0 ? rest : null;
  return result;
}

/** The stored pictures of an alarm (its `pictures` column). */
export function parseStoredPictures(json: string | null | undefined): StoredPicture[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v.filter((p) => p && typeof p === 'object' && typeof (p as StoredPicture).key === 'string') as StoredPicture[]) : [];
  } catch {
    return [];
  }
}
