/**
 * Decoded shapes of a tlv_report body. A body is a list of layer-1 records; a known record holds an
 * ordered list of layer-2 items. Order and repetition are kept, so encoding a decoded body gives back
 * its bytes exactly.
 */
import type { TlvFieldName, TlvHead, TlvIntWidth, TlvKindOf, TlvTagOf } from './tags.js';

export interface TlvPicSize {
  width: number;
  height: number;
}

export interface TlvRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TlvPoint {
  x: number;
  y: number;
}

/** The 4 corner points of an OCR text region, in wire order. */
export type TlvQuad = [TlvPoint, TlvPoint, TlvPoint, TlvPoint];

/** The decoded value of each value kind. u64 is a bigint so no value is rounded. */
export interface TlvValueOfKind {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  string: string;
  bytes: Uint8Array;
  size: TlvPicSize;
  rect: TlvRect;
  quad: TlvQuad;
  u16list: number[];
}

/**
 * Integer items: `width` is present only when the camera used another width than the spec's
 * (1, 2, 4 or 8 bytes are accepted; vendor SDKs write some one-byte fields as 4 bytes).
 */
export interface TlvIntExtras {
  width?: TlvIntWidth;
}

/**
 * String items: `trailingNuls` is present only when the string was sent with NUL terminator(s)
 * (C strings sent with strlen+1, or NUL-padded buffers). `value` excludes them.
 */
export interface TlvStringExtras {
  trailingNuls?: number;
}

interface TlvExtrasOfKind {
  u8: TlvIntExtras;
  u16: TlvIntExtras;
  u32: TlvIntExtras;
  u64: TlvIntExtras;
  string: TlvStringExtras;
  bytes: unknown;
  size: unknown;
  rect: unknown;
  quad: unknown;
  u16list: unknown;
}

/** A decoded layer-2 item of field F: `{ field: 'faceGender', tag: 0x10002, value: 1 }`. */
export type TlvItemOf<F extends TlvFieldName> = {
  field: F;
  tag: TlvTagOf<F>;
  value: TlvValueOfKind[TlvKindOf<F>];
} & TlvExtrasOfKind[TlvKindOf<F>];

/** A layer-2 item whose tag the spec defines, decoded. Discriminated on `field`. */
export type TlvKnownItem = { [F in TlvFieldName]: TlvItemOf<F> }[TlvFieldName];

/** A layer-2 item whose tag the spec does not define, kept as is. */
export interface TlvUnknownItem {
  field: 'unknown';
  tag: number;
  bytes: Uint8Array;
}

/**
 * A layer-2 item whose tag the spec defines but whose value does not have the spec's format. Only
 * produced with the decode option `badValue: 'keep'` (the default throws TLV_BAD_VALUE).
 */
export interface TlvMalformedItem {
  field: 'malformed';
  tag: number;
  bytes: Uint8Array;
  /** Why the value did not decode, as the TLV_BAD_VALUE error would have said. */
  reason: string;
}

export type TlvItem = TlvKnownItem | TlvUnknownItem | TlvMalformedItem;

/**
 * A layer-1 record with one of the spec's heads. `tag` is the T as on the wire: `TLV_HEAD_TAG[head]`
 * normally, `TLV_HEAD_TAG_REVERSED[head]` if the camera sent the letters reversed (`ATEM`).
 */
export interface TlvKnownRecord {
  head: TlvHead;
  tag: number;
  items: TlvItem[];
}

/** A layer-1 record whose T is not one of the spec's heads, kept as is. */
export interface TlvUnknownRecord {
  head: 'unknown';
  tag: number;
  bytes: Uint8Array;
}

export type TlvRecord = TlvKnownRecord | TlvUnknownRecord;

export interface TlvDecodeOptions {
  /** Longest body accepted, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Most layer-1 records in one body. Default 1024. */
  maxRecords?: number;
  /** Most layer-2 items in one record. Default 4096. */
  maxItemsPerRecord?: number;
  /** Longest layer-2 value, and longest value of an unknown layer-1 record, in bytes. Default 16 MiB. */
  maxValueBytes?: number;
  /**
   * What to do with a known tag whose value does not have the spec's format: `'throw'` a TlvError
   * TLV_BAD_VALUE (default), or `'keep'` it as a `malformed` item with its bytes and the reason.
   * Framing errors (truncation, overflow, limits) always throw.
   */
  badValue?: 'throw' | 'keep';
}

export const TLV_DEFAULT_LIMITS = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxRecords: 1024,
  maxItemsPerRecord: 4096,
  maxValueBytes: 16 * 1024 * 1024,
} as const;
