/**
 * Value codecs of the layer-2 kinds: the bytes of one V ↔ its typed value. Big-endian throughout.
 * Decoders return a reason string for a value that does not have the spec's format; the caller
 * turns it into a TLV_BAD_VALUE error or a `malformed` item.
 */
import { INT_WIDTH, isIntKind, type TlvIntWidth, type TlvValueKind } from './tags.js';
import type { TlvQuad } from './types.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** A decoded value with the extras that make its encoding exact. */
export interface DecodedValue {
  value: unknown;
  width?: TlvIntWidth;
  trailingNuls?: number;
}

export type ValueResult = { ok: true; decoded: DecodedValue } | { ok: false; reason: string };

const bad = (reason: string): ValueResult => ({ ok: false, reason });
const ok = (decoded: DecodedValue): ValueResult => ({ ok: true, decoded });

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function plural(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

/** Decodes the V of a known tag. `b` is exactly the value's bytes (a view; it is copied where kept). */
export function decodeValue(kind: TlvValueKind, b: Uint8Array): ValueResult {
  const n = b.length;
  const dv = view(b);
  if (isIntKind(kind)) {
    const specWidth = INT_WIDTH[kind];
    if (n !== 1 && n !== 2 && n !== 4 && n !== 8) {
      return bad(`must be a ${specWidth}-byte unsigned integer (${kind}), got ${plural(n)}`);
    }
    let v: number | bigint;
    if (n === 1) v = dv.getUint8(0);
    else if (n === 2) v = dv.getUint16(0);
    else if (n === 4) v = dv.getUint32(0);
    else v = dv.getBigUint64(0);
    let value: number | bigint;
    if (kind === 'u64') value = BigInt(v);
    else if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
        return bad(`${kind} value sent in 8 bytes is ${v}, beyond the safe integer range`);
      }
      value = Number(v);
    } else value = v;
    const out: DecodedValue = { value };
    if (n !== specWidth) out.width = n;
    return ok(out);
  }
  switch (kind) {
    case 'bytes':
      return ok({ value: b.slice() });
    case 'string': {
      const nul = b.indexOf(0);
      const textEnd = nul === -1 ? n : nul;
      for (let i = textEnd; i < n; i++) {
        if (b[i] !== 0) return bad(`string has a NUL at byte ${nul} followed by non-NUL byte 0x${b[i]!.toString(16).padStart(2, '0')} at byte ${i}`);
      }
      let text: string;
      try {
        text = utf8Decoder.decode(b.subarray(0, textEnd));
      } catch {
        return bad('string is not valid UTF-8');
      }
      const out: DecodedValue = { value: text };
      if (textEnd < n) out.trailingNuls = n - textEnd;
      return ok(out);
    }
    case 'size':
      if (n !== 4) return bad(`must be 4 bytes (u16 width, u16 height), got ${plural(n)}`);
      return ok({ value: { width: dv.getUint16(0), height: dv.getUint16(2) } });
    case 'rect':
      if (n !== 8) return bad(`must be 8 bytes (u16 x, y, w, h), got ${plural(n)}`);
      return ok({ value: { x: dv.getUint16(0), y: dv.getUint16(2), width: dv.getUint16(4), height: dv.getUint16(6) } });
    case 'quad': {
      if (n !== 16) return bad(`must be 16 bytes (4 × u16 x, u16 y), got ${plural(n)}`);
      const pts = [0, 1, 2, 3].map((i) => ({ x: dv.getUint16(i * 4), y: dv.getUint16(i * 4 + 2) }));
      return ok({ value: pts as TlvQuad });
    }
    case 'u16list': {
      if (n % 2 !== 0) return bad(`must be a whole number of u16 (even length), got ${plural(n)}`);
      const list: number[] = [];
      for (let i = 0; i < n; i += 2) list.push(dv.getUint16(i));
      return ok({ value: list });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding. Each function throws a plain Error with a reason; encode.ts wraps it in a TlvError.

export class ValueProblem extends Error {}

const MAX_BY_WIDTH: Record<TlvIntWidth, bigint> = {
  1: 0xffn,
  2: 0xffffn,
  4: 0xffffffffn,
  8: 0xffffffffffffffffn,
};

function u16(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new ValueProblem(`${what} must be an integer 0..65535, got ${describe(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Lone surrogates cannot be written as UTF-8 (TextEncoder would substitute U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export interface EncodableValue {
  value?: unknown;
  width?: unknown;
  trailingNuls?: unknown;
}

export function encodeValue(kind: TlvValueKind, item: EncodableValue): Uint8Array {
  const v = item.value;
  if (isIntKind(kind)) {
    const specWidth = INT_WIDTH[kind];
    let width: TlvIntWidth = specWidth;
    if (item.width !== undefined) {
      if (item.width !== 1 && item.width !== 2 && item.width !== 4 && item.width !== 8) {
        throw new ValueProblem(`width must be 1, 2, 4 or 8, got ${describe(item.width)}`);
      }
      if (item.width === specWidth) {
        throw new ValueProblem(`width ${specWidth} is the spec's width for ${kind}; omit it`);
      }
      width = item.width;
    }
    let big: bigint;
    if (kind === 'u64') {
      if (typeof v !== 'bigint') throw new ValueProblem(`value must be a bigint (u64), got ${describe(v)}`);
      big = v;
    } else {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new ValueProblem(`value must be a safe integer (${kind}), got ${describe(v)}`);
      }
      big = BigInt(v);
    }
    if (big < 0n || big > MAX_BY_WIDTH[width]) {
      throw new ValueProblem(`value ${describe(v)} does not fit in ${plural(width)} unsigned`);
    }
    const out = new Uint8Array(width);
    const dv = view(out);
    if (width === 1) dv.setUint8(0, Number(big));
    else if (width === 2) dv.setUint16(0, Number(big));
    else if (width === 4) dv.setUint32(0, Number(big));
    else dv.setBigUint64(0, big);
    return out;
  }
  if (item.width !== undefined) throw new ValueProblem(`width applies to integer fields only`);
  if (kind !== 'string' && item.trailingNuls !== undefined) {
    throw new ValueProblem(`trailingNuls applies to string fields only`);
  }
  switch (kind) {
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw new ValueProblem(`value must be a Uint8Array, got ${describe(v)}`);
      return v.slice();
    case 'string': {
      if (typeof v !== 'string') throw new ValueProblem(`value must be a string, got ${describe(v)}`);
      if (v.includes('\0')) throw new ValueProblem('string must not contain U+0000 (use trailingNuls for terminators)');
      if (LONE_SURROGATE.test(v)) throw new ValueProblem('string contains a lone surrogate and cannot be written as UTF-8');
      let nuls = 0;
      if (item.trailingNuls !== undefined) {
        const t = item.trailingNuls;
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) {
          throw new ValueProblem(`trailingNuls must be an integer ≥ 1 (omit it for none), got ${describe(t)}`);
        }
        nuls = t;
      }
      const text = utf8Encoder.encode(v);
      if (nuls === 0) return text;
      const out = new Uint8Array(text.length + nuls);
      out.set(text);
      return out;
    }
    case 'size': {
      if (!isPlainObject(v)) throw new ValueProblem(`value must be { width, height }, got ${describe(v)}`);
      const out = new Uint8Array(4);
      const dv = view(out);
      dv.setUint16(0, u16(v.width, 'width'));
      dv.setUint16(2, u16(v.height, 'height'));
      return out;
    }
    case 'rect': {
      if (!isPlainObject(v)) throw new ValueProblem(`value must be { x, y, width, height }, got ${describe(v)}`);
      const out = new Uint8Array(8);
      const dv = view(out);
      dv.setUint16(0, u16(v.x, 'x'));
      dv.setUint16(2, u16(v.y, 'y'));
      dv.setUint16(4, u16(v.width, 'width'));
      dv.setUint16(6, u16(v.height, 'height'));
      return out;
    }
    case 'quad': {
      if (!Array.isArray(v) || v.length !== 4) throw new ValueProblem(`value must be 4 points, got ${describe(v)}`);
      const out = new Uint8Array(16);
      const dv = view(out);
      v.forEach((p: unknown, i) => {
        if (!isPlainObject(p)) throw new ValueProblem(`point ${i} must be { x, y }, got ${describe(p)}`);
        dv.setUint16(i * 4, u16(p.x, `point ${i} x`));
        dv.setUint16(i * 4 + 2, u16(p.y, `point ${i} y`));
      });
      return out;
    }
    case 'u16list': {
      if (!Array.isArray(v)) throw new ValueProblem(`value must be an array of u16, got ${describe(v)}`);
      const out = new Uint8Array(v.length * 2);
      const dv = view(out);
      v.forEach((x: unknown, i) => dv.setUint16(i * 2, u16(x, `entry ${i}`)));
      return out;
    }
  }
}
