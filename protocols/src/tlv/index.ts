/**
 * TLV codec of the AI-camera HTTP push protocol, `POST /v1/device/tlv_report`
 * (shared/specs/camera-http-push-protocol.txt §4.4; English digest in the .notes.md beside it).
 *
 * Wire format: T (4 bytes), L (4 bytes, length of V), V; network byte order. Layer 1: records headed
 * META / ALAM / AREA, back to back; layer 2: the record's V, a stack of tagged items (TLV_TAGS).
 *
 * Readings taken where the spec is ambiguous (notes §8). Where a camera could send either form,
 * both are decoded, and the form received is recorded so it is re-encoded byte for byte:
 * - D1 head letters: `META` = 4D 45 54 41; the reversed `ATEM` (little-endian MKTAG) is accepted too,
 *   and kept in the record's `tag`.
 * - D2 ALAM / AREA: no tags of their own in the spec; their items use the same tag table.
 * - D3 DEVICEID: the device ID (field `deviceId`).
 * - D4 PTS: kept as the raw u64 (bigint); `readTlvPts` reads it as ms or s (by magnitude unless told).
 * - D6 OBJ_NAME: 0x10 as written; 0x10000 is an unknown tag, kept raw.
 * - D8 integers: unsigned. A camera may write an integer field in 1, 2, 4 or 8 bytes (vendor SDKs
 *   write one-byte fields as 4): accepted, with `width` recording a non-spec width. Strings: UTF-8;
 *   trailing NULs accepted and recorded as `trailingNuls`. PIC_SIZE width then height; OCR points
 *   in wire order; OCR regions are flat repetitions, grouped only in `describeTlvRecord`.
 * - D10 several records per body: accepted, any number up to `maxRecords`.
 * - Tags the spec does not define (0x1000E, the vendor extras 0xB-0xD, 0x2000x, …) and unknown
 *   layer-1 heads are kept raw, in place.
 * Nesting is fixed at two layers by the spec: unknown values are never parsed as TLV, so depth needs
 * no limit; counts and sizes are limited by TlvDecodeOptions.
 */
export { TlvError, TlvErrorCode, isTlvError, type TlvErrorDetails } from './errors.js';
export {
  TLV_TAGS,
  TLV_FIELD_NAMES,
  TLV_HEADS,
  TLV_HEAD_TAG,
  TLV_HEAD_TAG_REVERSED,
  TLV_VALUE_LABELS,
  MetaTarget,
  metaTargetName,
  tlvFieldOfTag,
  tlvHeadOfTag,
  type MetaTargetName,
  type TlvFieldName,
  type TlvHead,
  type TlvIntWidth,
  type TlvKindOf,
  type TlvTagOf,
  type TlvTagSpec,
  type TlvValueKind,
} from './tags.js';
export {
  TLV_DEFAULT_LIMITS,
  type TlvDecodeOptions,
  type TlvIntExtras,
  type TlvItem,
  type TlvItemOf,
  type TlvKnownItem,
  type TlvKnownRecord,
  type TlvMalformedItem,
  type TlvPicSize,
  type TlvPoint,
  type TlvQuad,
  type TlvRecord,
  type TlvRect,
  type TlvStringExtras,
  type TlvUnknownItem,
  type TlvUnknownRecord,
  type TlvValueOfKind,
} from './types.js';
export { decodeTlvReport, decodeTlvItems, TLV_HEADER_BYTES } from './decode.js';
export { encodeTlvReport, encodeTlvRecord, encodeTlvItems, encodeTlvItem } from './encode.js';
export { tlvItem, tlvRecord } from './build.js';
export { describeTlvRecord, type TlvOcrRegion, type TlvFieldValues, type TlvRecordView } from './view.js';
export { readTlvPts, PTS_SECONDS_BELOW, type TlvPtsOptions, type TlvPtsReading } from './pts.js';
