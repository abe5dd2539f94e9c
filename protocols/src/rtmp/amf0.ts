import { RtmpError, RtmpErrorCode } from './errors.js';

/**
 * AMF0 (Action Message Format 0), the encoding of RTMP commands and FLV script data.
 * Decoded values are plain JS values: number, boolean, string (short or long), null, undefined,
 * plain objects (AMF0 object, ECMA array and typed object), arrays (strict array) and Date.
 * To encode an ECMA array (as onMetaData usually is), wrap the object in `Amf0EcmaArray`.
 */
export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | Amf0EcmaArray
  | { [key: string]: Amf0Value };

export class Amf0EcmaArray {
  constructor(readonly entries: { [key: string]: Amf0Value }) {}
}

export const Amf0Marker = {
  NUMBER: 0x00,
  BOOLEAN: 0x01,
  STRING: 0x02,
  OBJECT: 0x03,
  MOVIECLIP: 0x04,
  NULL: 0x05,
  UNDEFINED: 0x06,
  REFERENCE: 0x07,
  ECMA_ARRAY: 0x08,
  OBJECT_END: 0x09,
  STRICT_ARRAY: 0x0a,
  DATE: 0x0b,
  LONG_STRING: 0x0c,
  UNSUPPORTED: 0x0d,
  XML_DOCUMENT: 0x0f,
  TYPED_OBJECT: 0x10,
  AVMPLUS: 0x11,
} as const;

export interface Amf0DecodeOptions {
  /** Deepest nesting of objects and arrays (default 32). */
  maxDepth?: number;
}

/** Decodes every AMF0 value in `data` (a command: name, transaction id, object, args…). */
export function decodeAmf0All(data: Uint8Array, options: Amf0DecodeOptions = {}): Amf0Value[] {
  const d = new Amf0Decoder(data, options.maxDepth ?? 32);
  const values: Amf0Value[] = [];
  while (!d.done) values.push(d.value(0));
  return values;
}

/** Decodes one AMF0 value at `offset`; returns it and the offset after it. */
export function decodeAmf0(data: Uint8Array, offset = 0, options: Amf0DecodeOptions = {}): { value: Amf0Value; end: number } {
  const d = new Amf0Decoder(data, options.maxDepth ?? 32, offset);
  const value = d.value(0);
  return { value, end: d.offset };
}

class Amf0Decoder {
  private readonly buf: Buffer;

  constructor(data: Uint8Array, private readonly maxDepth: number, public offset = 0) {
    this.buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.buf.length;
  }

  private need(n: number) {
    if (this.offset + n > this.buf.length) throw new RtmpError(RtmpErrorCode.AMF_TRUNCATED, 'AMF0 value cut off');
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  private u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  private f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  private utf8(len: number): string {
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  value(depth: number): Amf0Value {
    const marker = this.u8();
    switch (marker) {
      case Amf0Marker.NUMBER:
        return this.f64();
      case Amf0Marker.BOOLEAN:
        return this.u8() !== 0;
      case Amf0Marker.STRING:
        return this.utf8(this.u16());
      case Amf0Marker.LONG_STRING:
      case Amf0Marker.XML_DOCUMENT:
        return this.utf8(this.u32());
      case Amf0Marker.NULL:
        return null;
      case Amf0Marker.UNDEFINED:
      case Amf0Marker.UNSUPPORTED:
        return undefined;
      case Amf0Marker.OBJECT:
        return this.properties(depth);
      case Amf0Marker.TYPED_OBJECT:
        this.utf8(this.u16()); // class name
        return this.properties(depth);
      case Amf0Marker.ECMA_ARRAY:
        this.u32(); // approximate count; the object-end marker is what ends it
        return this.properties(depth);
      case Amf0Marker.STRICT_ARRAY: {
        this.checkDepth(depth);
        const count = this.u32();
        // every element takes at least one byte
        if (count > this.buf.length - this.offset) throw new RtmpError(RtmpErrorCode.AMF_TRUNCATED, 'AMF0 strict array count exceeds the data');
        const out: Amf0Value[] = [];
        for (let i = 0; i < count; i++) out.push(this.value(depth + 1));
        return out;
      }
      case Amf0Marker.DATE: {
        const ms = this.f64();
        this.u16(); // time zone, reserved
        return new Date(ms);
      }
      default:
        throw new RtmpError(RtmpErrorCode.AMF_INVALID, `AMF0 marker 0x${marker.toString(16)} is not supported`);
    }
  }

  private checkDepth(depth: number) {
    if (depth >= this.maxDepth) throw new RtmpError(RtmpErrorCode.AMF_INVALID, 'AMF0 nesting too deep');
  }

  private properties(depth: number): { [key: string]: Amf0Value } {
    this.checkDepth(depth);
    const obj: { [key: string]: Amf0Value } = {};
    for (;;) {
      const key = this.utf8(this.u16());
      if (key === '') {
        this.need(1);
        if (this.buf[this.offset] === Amf0Marker.OBJECT_END) {
          this.offset++;
          return obj;
        }
      }
      // defineProperty: a key "__proto__" must stay an ordinary property
      Object.defineProperty(obj, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
    }
  }
}

/** Encodes values one after another (e.g. a command: name, transaction id, object, args…). */
export function encodeAmf0(...values: Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) writeValue(parts, v, 0);
  return Buffer.concat(parts);
}

function writeValue(parts: Buffer[], v: Amf0Value, depth: number): void {
  if (depth > 64) throw new RtmpError(RtmpErrorCode.AMF_INVALID, 'AMF0 value nested too deep (or cyclic)');
  if (v === null) return void parts.push(Buffer.from([Amf0Marker.NULL]));
  if (v === undefined) return void parts.push(Buffer.from([Amf0Marker.UNDEFINED]));
  switch (typeof v) {
    case 'number': {
      const b = Buffer.alloc(9);
      b[0] = Amf0Marker.NUMBER;
      b.writeDoubleBE(v, 1);
      return void parts.push(b);
    }
    case 'boolean':
      return void parts.push(Buffer.from([Amf0Marker.BOOLEAN, v ? 1 : 0]));
    case 'string': {
      const s = Buffer.from(v, 'utf8');
      if (s.length <= 0xffff) {
        const h = Buffer.alloc(3);
        h[0] = Amf0Marker.STRING;
        h.writeUInt16BE(s.length, 1);
        return void parts.push(h, s);
      }
      const h = Buffer.alloc(5);
      h[0] = Amf0Marker.LONG_STRING;
      h.writeUInt32BE(s.length, 1);
      return void parts.push(h, s);
    }
  }
  if (v instanceof Date) {
    const b = Buffer.alloc(11);
    b[0] = Amf0Marker.DATE;
    b.writeDoubleBE(v.getTime(), 1);
    return void parts.push(b);
  }
  if (Array.isArray(v)) {
    const h = Buffer.alloc(5);
    h[0] = Amf0Marker.STRICT_ARRAY;
    h.writeUInt32BE(v.length, 1);
    parts.push(h);
    for (const item of v) writeValue(parts, item, depth + 1);
    return;
  }
  if (v instanceof Amf0EcmaArray) {
    const h = Buffer.alloc(5);
    h[0] = Amf0Marker.ECMA_ARRAY;
    h.writeUInt32BE(Object.keys(v.entries).length, 1);
    parts.push(h);
    return writeProperties(parts, v.entries, depth);
  }
  if (typeof v === 'object') {
    parts.push(Buffer.from([Amf0Marker.OBJECT]));
    return writeProperties(parts, v, depth);
  }
  throw new RtmpError(RtmpErrorCode.AMF_INVALID, `cannot encode a ${typeof v} as AMF0`);
}

function writeProperties(parts: Buffer[], obj: { [key: string]: Amf0Value }, depth: number) {
  for (const key of Object.keys(obj)) {
    const k = Buffer.from(key, 'utf8');
    if (k.length > 0xffff) throw new RtmpError(RtmpErrorCode.AMF_INVALID, 'AMF0 property name longer than 65535 bytes');
    if (k.length === 0) throw new RtmpError(RtmpErrorCode.AMF_INVALID, 'AMF0 property names cannot be empty');
    const h = Buffer.alloc(2);
    h.writeUInt16BE(k.length);
    parts.push(h, k);
    writeValue(parts, obj[key], depth + 1);
  }
  parts.push(Buffer.from([0, 0, Amf0Marker.OBJECT_END]));
}
