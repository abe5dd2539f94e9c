/**
 * Decoder: tlv_report body bytes → records → items. Pure; never reads outside the given view.
 */
import { TlvError, TlvErrorCode, hex32 } from './errors.js';
import { TLV_TAGS, tlvFieldOfTag, tlvHeadOfTag } from './tags.js';
import {
  TLV_DEFAULT_LIMITS,
  type TlvDecodeOptions,
  type TlvItem,
  type TlvKnownItem,
  type TlvRecord,
} from './types.js';
import { decodeValue } from './values.js';

/** Bytes of a TLV header: 4-byte T, 4-byte L. */
export const TLV_HEADER_BYTES = 8;

interface Settings {
  maxBodyBytes: number;
  maxRecords: number;
  maxItemsPerRecord: number;
  maxValueBytes: number;
  keepBadValues: boolean;
}

function settingsOf(options: TlvDecodeOptions = {}): Settings {
  const limit = (name: keyof typeof TLV_DEFAULT_LIMITS): number => {
    const v = options[name];
    if (v === undefined) return TLV_DEFAULT_LIMITS[name];
    if (typeof v !== 'number' || !(v >= 0) || (!Number.isInteger(v) && v !== Infinity)) {
      throw new RangeError(`TLV decode option ${name} must be a non-negative integer or Infinity, got ${String(v)}`);
    }
    return v;
  };
  const badValue = options.badValue ?? 'throw';
  if (badValue !== 'throw' && badValue !== 'keep') {
    throw new RangeError(`TLV decode option badValue must be 'throw' or 'keep', got ${String(badValue)}`);
  }
  return {
    maxBodyBytes: limit('maxBodyBytes'),
    maxRecords: limit('maxRecords'),
    maxItemsPerRecord: limit('maxItemsPerRecord'),
    maxValueBytes: limit('maxValueBytes'),
    keepBadValues: badValue === 'keep',
  };
}

/** A plain Uint8Array view of exactly the caller's bytes (a Buffer is viewed, not copied). */
function bytesOf(input: Uint8Array, s: Settings): Uint8Array {
  if (!(input instanceof Uint8Array)) {
    throw new TlvError(TlvErrorCode.BAD_VALUE, `TLV input must be a Uint8Array or Buffer, got ${input === null ? 'null' : typeof input}`);
  }
  if (input.byteLength > s.maxBodyBytes) {
    throw new TlvError(
      TlvErrorCode.TOO_LARGE,
      `TLV body is ${input.byteLength} bytes, over the limit of ${s.maxBodyBytes} (maxBodyBytes)`,
      { offset: 0 },
    );
  }
  return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}

interface Header {
  tag: number;
  length: number;
  valueStart: number;
  valueEnd: number;
}

/**
 * Reads the T and L at `pos`, checking that the header and the declared value lie within `end`.
 * `what` names the TLV and `within` the enclosing buffer, for messages.
 */
function readHeader(dv: DataView, pos: number, end: number, what: string, within: string): Header {
  const remaining = end - pos;
  if (remaining < TLV_HEADER_BYTES) {
    throw new TlvError(
      TlvErrorCode.TRUNCATED,
      `${what} at offset ${pos}: header needs ${TLV_HEADER_BYTES} bytes (4 T + 4 L), only ${remaining} remain in ${within}`,
      { offset: pos },
    );
  }
  const tag = dv.getUint32(pos);
  const length = dv.getUint32(pos + 4);
  const available = remaining - TLV_HEADER_BYTES;
  if (length > available) {
    throw new TlvError(
      TlvErrorCode.LENGTH_OVERFLOW,
      `${what} at offset ${pos} (T ${hex32(tag)}) declares a ${length}-byte value, but only ${available} bytes follow its header in ${within}`,
      { offset: pos, tag },
    );
  }
  const valueStart = pos + TLV_HEADER_BYTES;
  return { tag, length, valueStart, valueEnd: valueStart + length };
}

function checkValueSize(h: Header, pos: number, s: Settings, what: string): void {
  if (h.length > s.maxValueBytes) {
    throw new TlvError(
      TlvErrorCode.TOO_LARGE,
      `${what} at offset ${pos} (T ${hex32(h.tag)}) has a ${h.length}-byte value, over the limit of ${s.maxValueBytes} (maxValueBytes)`,
      { offset: pos, tag: h.tag },
    );
  }
}

function decodeItemsIn(
  u8: Uint8Array,
  dv: DataView,
  start: number,
  end: number,
  s: Settings,
  within: string,
): TlvItem[] {
  const items: TlvItem[] = [];
  let pos = start;
  while (pos < end) {
    if (items.length >= s.maxItemsPerRecord) {
      throw new TlvError(
        TlvErrorCode.TOO_LARGE,
        `layer-2 item at offset ${pos}: ${within} holds more than ${s.maxItemsPerRecord} items (maxItemsPerRecord)`,
        { offset: pos },
      );
    }
    const h = readHeader(dv, pos, end, 'layer-2 item', within);
    checkValueSize(h, pos, s, 'layer-2 item');
    const field = tlvFieldOfTag(h.tag);
    if (field === undefined) {
      items.push({ field: 'unknown', tag: h.tag, bytes: u8.slice(h.valueStart, h.valueEnd) });
    } else {
      const spec = TLV_TAGS[field];
      const r = decodeValue(spec.kind, u8.subarray(h.valueStart, h.valueEnd));
      if (r.ok) {
        items.push({ field, tag: h.tag, ...r.decoded } as TlvKnownItem);
      } else if (s.keepBadValues) {
        items.push({ field: 'malformed', tag: h.tag, bytes: u8.slice(h.valueStart, h.valueEnd), reason: r.reason });
      } else {
        throw new TlvError(
          TlvErrorCode.BAD_VALUE,
          `layer-2 item at offset ${pos} in ${within}: ${spec.specName} (${hex32(h.tag)}) ${r.reason}`,
          { offset: pos, tag: h.tag },
        );
      }
    }
    pos = h.valueEnd;
  }
  return items;
}

/**
 * Decodes a tlv_report body: zero or more layer-1 records back to back (§4.4.1.2).
 * Records headed META, ALAM or AREA (either letter order) have their layer-2 items decoded;
 * other records are kept raw. Throws TlvError, and nothing else, on bytes that do not decode.
 */
export function decodeTlvReport(body: Uint8Array, options?: TlvDecodeOptions): TlvRecord[] {
  const s = settingsOf(options);
  const u8 = bytesOf(body, s);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const end = u8.length;
  const records: TlvRecord[] = [];
  let pos = 0;
  while (pos < end) {
    if (records.length >= s.maxRecords) {
      throw new TlvError(
        TlvErrorCode.TOO_LARGE,
        `layer-1 record at offset ${pos}: body holds more than ${s.maxRecords} records (maxRecords)`,
        { offset: pos },
      );
    }
    const h = readHeader(dv, pos, end, 'layer-1 record', 'the body');
    const head = tlvHeadOfTag(h.tag);
    if (head === undefined) {
      checkValueSize(h, pos, s, 'layer-1 record');
      records.push({ head: 'unknown', tag: h.tag, bytes: u8.slice(h.valueStart, h.valueEnd) });
    } else {
      const within = `the ${head} record at offset ${pos}`;
      records.push({ head, tag: h.tag, items: decodeItemsIn(u8, dv, h.valueStart, h.valueEnd, s, within) });
    }
    pos = h.valueEnd;
  }
  return records;
}

/**
 * Decodes a bare stack of layer-2 items (the V of one layer-1 record). Offsets in errors are
 * relative to `bytes`.
 */
export function decodeTlvItems(bytes: Uint8Array, options?: TlvDecodeOptions): TlvItem[] {
  const s = settingsOf(options);
  const u8 = bytesOf(bytes, s);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  return decodeItemsIn(u8, dv, 0, u8.length, s, 'the item stack');
}
