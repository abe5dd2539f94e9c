/**
 * Builders that fill in the numeric tags, for code that produces reports (simulators, tests).
 */
import { TLV_HEAD_TAG, TLV_HEAD_TAG_REVERSED, TLV_TAGS, type TlvFieldName, type TlvHead, type TlvKindOf } from './tags.js';
import type { TlvItem, TlvItemOf, TlvKnownRecord, TlvValueOfKind } from './types.js';

/** `tlvItem('faceGender', 1)` → `{ field: 'faceGender', tag: 0x10002, value: 1 }`. */
export function tlvItem<F extends TlvFieldName>(
  field: F,
  value: TlvValueOfKind[TlvKindOf<F>],
  extras?: Omit<TlvItemOf<F>, 'field' | 'tag' | 'value'>,
): TlvItemOf<F> {
  return { field, tag: TLV_TAGS[field].tag, value, ...extras } as TlvItemOf<F>;
}

/** `tlvRecord('META', items)`: a record with the head's tag in the spec's letter order (or reversed). */
export function tlvRecord(head: TlvHead, items: TlvItem[], options: { reversedHead?: boolean } = {}): TlvKnownRecord {
  return { head, tag: options.reversedHead ? TLV_HEAD_TAG_REVERSED[head] : TLV_HEAD_TAG[head], items };
}
