/**
 * A convenience reading of one decoded record: each field's value by its readable name, the target's
 * enum name, and the OCR regions grouped. It is a view; the ordered items stay the lossless form.
 */
import { metaTargetName, type MetaTargetName, type TlvFieldName, type TlvHead, type TlvKindOf } from './tags.js';
import type {
  TlvKnownRecord,
  TlvMalformedItem,
  TlvQuad,
  TlvUnknownItem,
  TlvValueOfKind,
} from './types.js';

export interface TlvOcrRegion {
  points?: TlvQuad;
  name?: string;
  text?: string;
  confidence?: number;
  eachConfidence?: number[];
}

/** The first value of each field present in the record. */
export type TlvFieldValues = { [F in TlvFieldName]?: TlvValueOfKind[TlvKindOf<F>] };

export type TlvRecordView = TlvFieldValues & {
  head: TlvHead;
  /** `META_TARGET_FACE` etc. when `target` is a value of MetaTarget_e. */
  targetName?: MetaTargetName;
  /** OCR regions (§4.4.4: "each region contains 0xa0002-0xa0006"), in order. */
  ocrRegions: TlvOcrRegion[];
  unknown: TlvUnknownItem[];
  malformed: TlvMalformedItem[];
};

const REGION_KEYS = {
  ocrRegionPoints: 'points',
  ocrRegionName: 'name',
  ocrText: 'text',
  ocrConfidence: 'confidence',
  ocrEachConfidence: 'eachConfidence',
} as const satisfies Partial<Record<TlvFieldName, keyof TlvOcrRegion>>;
const REGION_ORDER: readonly string[] = Object.keys(REGION_KEYS);

/**
 * Reads a decoded record. A field repeated outside the OCR regions is reported once (its first
 * value); the items still hold every occurrence. OCR region tags are grouped by the spec's order
 * POINTS, NAME, TEXT, CONFIDENCE, EACH_CONFIDENCE: a region tag that does not come after the
 * previous one in that order starts a new region, so regions that omit some tags still group.
 */
export function describeTlvRecord(record: TlvKnownRecord): TlvRecordView {
  const view: TlvRecordView = { head: record.head, ocrRegions: [], unknown: [], malformed: [] };
  const fields = view as Record<string, unknown>;
  let region: TlvOcrRegion | undefined;
  let lastRank = -1;
  for (const item of record.items) {
    if (item.field === 'unknown') {
      view.unknown.push(item);
      continue;
    }
    if (item.field === 'malformed') {
      view.malformed.push(item);
      continue;
    }
    const rank = REGION_ORDER.indexOf(item.field);
    if (rank >= 0) {
      if (region === undefined || rank <= lastRank) {
        region = {};
        view.ocrRegions.push(region);
      }
      (region as Record<string, unknown>)[REGION_KEYS[item.field as keyof typeof REGION_KEYS]] = item.value;
      lastRank = rank;
      continue;
    }
    if (!(item.field in fields)) fields[item.field] = item.value;
  }
  if (view.target !== undefined) {
    const name = metaTargetName(view.target);
    if (name !== undefined) view.targetName = name;
  }
  return view;
}
