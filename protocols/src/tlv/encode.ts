/**
 * Encoder: records → tlv_report body bytes. The inverse of decode.ts: for every input it accepts,
 * decoding the output gives back a deep-equal value. It rejects (TLV_BAD_VALUE) anything the
 * decoder would read back differently: out-of-range numbers, a typed field under a mismatched tag,
 * an `unknown` item or record under a tag the spec defines, a `malformed` item whose bytes are valid.
 */
import { TlvError, TlvErrorCode, hex32 } from './errors.js';
import { TLV_HEADER_BYTES } from './decode.js';
import { TLV_HEAD_TAG, TLV_HEAD_TAG_REVERSED, TLV_TAGS, tlvFieldOfTag, tlvHeadOfTag, type TlvFieldName } from './tags.js';
import type { TlvItem, TlvRecord } from './types.js';
import { ValueProblem, decodeValue, encodeValue } from './values.js';

const MAX_U32 = 0xffffffff;

function badValue(path: string, message: string, tag?: number): TlvError {
  return new TlvError(TlvErrorCode.BAD_VALUE, `${path}: ${message}`, tag === undefined ? {} : { tag });
}

function show(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_U32) return hex32(v);
  return typeof v === 'string' ? `'${v}'` : typeof v === 'bigint' ? `${v}n` : String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkU32Tag(tag: unknown, path: string): number {
  if (typeof tag !== 'number' || !Number.isInteger(tag) || tag < 0 || tag > MAX_U32) {
    throw badValue(path, `tag must be an integer 0..0xFFFFFFFF, got ${show(tag)}`);
  }
  return tag;
}

function checkBytes(bytes: unknown, path: string, tag: number): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw badValue(path, 'bytes must be a Uint8Array', tag);
  return bytes;
}

/** One TLV: 4-byte T, 4-byte L, then the value parts. */
function tlv(tag: number, parts: readonly Uint8Array[], path: string): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  if (length > MAX_U32) {
    throw new TlvError(TlvErrorCode.TOO_LARGE, `${path}: value is ${length} bytes, more than a 4-byte L can declare`, { tag });
  }
  const out = new Uint8Array(TLV_HEADER_BYTES + length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, tag);
  dv.setUint32(4, length);
  let pos = TLV_HEADER_BYTES;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

// Inputs are checked at run time as untyped objects: callers may be plain JavaScript.
function encodeItemAt(input: TlvItem, path: string): Uint8Array {
  const item: unknown = input;
  if (!isObject(item)) throw badValue(path, 'item must be an object');
  const field: unknown = item.field;
  if (field === 'unknown') {
    const tag = checkU32Tag(item.tag, path);
    const known = tlvFieldOfTag(tag);
    if (known !== undefined) {
      throw badValue(path, `tag ${hex32(tag)} is ${TLV_TAGS[known].specName}; encode it as field '${known}', not 'unknown'`, tag);
    }
    return tlv(tag, [checkBytes(item.bytes, path, tag)], path);
  }
  if (field === 'malformed') {
    const tag = checkU32Tag(item.tag, path);
    const known = tlvFieldOfTag(tag);
    if (known === undefined) throw badValue(path, `a malformed item must carry a tag the spec defines, got ${hex32(tag)}`, tag);
    const bytes = checkBytes(item.bytes, path, tag);
    if (decodeValue(TLV_TAGS[known].kind, bytes).ok) {
      throw badValue(path, `bytes are a valid ${TLV_TAGS[known].specName}; encode it as field '${known}', not 'malformed'`, tag);
    }
    return tlv(tag, [bytes], path);
  }
  if (typeof field !== 'string' || !Object.hasOwn(TLV_TAGS, field)) {
    throw badValue(path, `unknown field ${show(field)}; use field 'unknown' with a numeric tag for tags the spec does not define`);
  }
  const spec = TLV_TAGS[field as TlvFieldName];
  const path2 = `${path} (${field})`;
  if (item.tag !== spec.tag) {
    throw badValue(path2, `tag must be ${hex32(spec.tag)} (${spec.specName}), got ${show(item.tag)}`, spec.tag);
  }
  let value: Uint8Array;
  try {
    value = encodeValue(spec.kind, item);
  } catch (e) {
    if (e instanceof ValueProblem) throw badValue(path2, e.message, spec.tag);
    throw e;
  }
  return tlv(spec.tag, [value], path2);
}

function encodeRecordAt(input: TlvRecord, path: string): Uint8Array {
  const record: unknown = input;
  if (!isObject(record)) throw badValue(path, 'record must be an object');
  if (record.head === 'unknown') {
    const tag = checkU32Tag(record.tag, path);
    const known = tlvHeadOfTag(tag);
    if (known !== undefined) throw badValue(path, `tag ${hex32(tag)} is the head ${known}; encode it with head '${known}' and items`, tag);
    return tlv(tag, [checkBytes(record.bytes, path, tag)], path);
  }
  const head: unknown = record.head;
  if (head !== 'META' && head !== 'ALAM' && head !== 'AREA') {
    throw badValue(path, `head must be 'META', 'ALAM', 'AREA' or 'unknown', got ${show(head)}`);
  }
  if (record.tag !== TLV_HEAD_TAG[head] && record.tag !== TLV_HEAD_TAG_REVERSED[head]) {
    throw badValue(
      path,
      `tag of a ${head} record must be ${hex32(TLV_HEAD_TAG[head])} (or reversed ${hex32(TLV_HEAD_TAG_REVERSED[head])}), got ${show(record.tag)}`,
    );
  }
  const tag = record.tag as number;
  if (!Array.isArray(record.items)) throw badValue(path, 'items must be an array', tag);
  const parts = (record.items as TlvItem[]).map((item, i) => encodeItemAt(item, `${path}.items[${i}]`));
  return tlv(tag, parts, `${path} (${head})`);
}

/** Encodes a tlv_report body: the records back to back. */
export function encodeTlvReport(records: readonly TlvRecord[]): Uint8Array {
  if (!Array.isArray(records)) throw badValue('records', 'must be an array');
  return concat(records.map((r, i) => encodeRecordAt(r, `records[${i}]`)));
}

/** Encodes one layer-1 record (T, L, and its items or raw bytes). */
export function encodeTlvRecord(record: TlvRecord): Uint8Array {
  return encodeRecordAt(record, 'record');
}

/** Encodes a bare stack of layer-2 items (the V of a record). */
export function encodeTlvItems(items: readonly TlvItem[]): Uint8Array {
  if (!Array.isArray(items)) throw badValue('items', 'must be an array');
  return concat(items.map((item, i) => encodeItemAt(item, `items[${i}]`)));
}

/** Encodes one layer-2 item (T, L, V). */
export function encodeTlvItem(item: TlvItem): Uint8Array {
  return encodeItemAt(item, 'item');
}
