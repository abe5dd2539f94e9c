import { AlarmLevel, AlarmSource, AlarmType, ALARM_TYPES } from '../alarm-model.js';
import { TYPE_DEFAULT_LEVEL, type TaxonomyEntry } from './entry.js';
import { HTTP_PUSH_KIND_TYPE, HTTP_PUSH_TAXONOMY, META_TARGET_CODES } from './http-push.js';
import { CMIOT_TAXONOMY } from './cmiot.js';
import { HUAWEI_TAXONOMY } from './huawei.js';

export { TYPE_DEFAULT_LEVEL, type TaxonomyEntry } from './entry.js';
export { HTTP_PUSH_TAXONOMY, META_TARGET_CODES, HTTP_PUSH_KIND_TYPE } from './http-push.js';
export { CMIOT_TAXONOMY } from './cmiot.js';
export { HUAWEI_TAXONOMY } from './huawei.js';

/** Every vendor code Argus knows, by source. */
export const TAXONOMY: Readonly<Record<AlarmSource, readonly TaxonomyEntry[]>> = {
  [AlarmSource.HTTP_PUSH]: HTTP_PUSH_TAXONOMY,
  [AlarmSource.CMIOT]: CMIOT_TAXONOMY,
  [AlarmSource.HUAWEI]: HUAWEI_TAXONOMY,
  [AlarmSource.ISUP]: [],
  [AlarmSource.MANUAL]: [],
};

const bySource = new Map<AlarmSource, Map<string, TaxonomyEntry>>();
for (const [source, entries] of Object.entries(TAXONOMY) as [AlarmSource, readonly TaxonomyEntry[]][]) {
  const map = new Map<string, TaxonomyEntry>();
  for (const entry of entries) {
    const k = entry.code.toLowerCase();
    if (map.has(k)) throw new Error(`taxonomy: ${source} code ${entry.code} is listed twice`);
    map.set(k, entry);
  }
  bySource.set(source, map);
}

/** Search order when the publisher does not say the source (numeric Huawei codes need the source: they clash with CMIOT's). */
const UNQUALIFIED_ORDER = [AlarmSource.HTTP_PUSH, AlarmSource.HUAWEI, AlarmSource.CMIOT] as const;
const NUMERIC = /^\d+$/;

/** The table entry of a vendor code (case-insensitive), in `source` when given, else in any table. */
export function lookupCode(code: string, source?: AlarmSource | null): TaxonomyEntry | null {
  const k = code.trim().toLowerCase();
  if (!k) return null;
  if (source) return bySource.get(source)?.get(k) ?? null;
  for (const s of UNQUALIFIED_ORDER) {
    if (s === AlarmSource.HUAWEI && NUMERIC.test(k)) continue;
    const hit = bySource.get(s)!.get(k);
    if (hit) return hit;
  }
  return null;
}

const SOURCE_ALIASES: Record<string, AlarmSource> = {
  http_push: AlarmSource.HTTP_PUSH,
  httppush: AlarmSource.HTTP_PUSH,
  jovision: AlarmSource.HTTP_PUSH,
  cmiot: AlarmSource.CMIOT,
  china_mobile: AlarmSource.CMIOT,
  huawei: AlarmSource.HUAWEI,
  huawei_ivm: AlarmSource.HUAWEI,
  ivm: AlarmSource.HUAWEI,
  isup: AlarmSource.ISUP,
  ehome: AlarmSource.ISUP,
  manual: AlarmSource.MANUAL,
};

/** An AlarmSource from what publishers write (`http-push`, `HTTP_PUSH`, `huawei-ivm`, …), else null. */
export function parseAlarmSource(v: unknown): AlarmSource | null {
  if (typeof v !== 'string') return null;
  return SOURCE_ALIASES[v.trim().toLowerCase().replace(/[-\s.]/g, '_')] ?? null;
}

export interface Classification {
  type: AlarmType;
  /** Default level (used when the publisher gives none). */
  level: AlarmLevel;
  source: AlarmSource | null;
  /** The vendor code to keep in sourceCode (null when there is none). */
  sourceCode: string | null;
  /** The table entry the code matched, or null (unknown codes are OTHER with their code kept). */
  entry: TaxonomyEntry | null;
}

export interface ClassifyInput {
  /** `type` of the payload: an AlarmType, or the vendor's code. */
  type?: string | null;
  sourceCode?: string | null;
  /** The payload's `source`, or attributes.source. */
  source?: string | null;
  /** attributes.kind of http-push reports (`alarm`, `event`, `tlv`, `temperature`, `environment`, `snapshot`). */
  kind?: string | null;
  /** attributes.target of tlv records (MetaTarget_e value), or its name (targetName). */
  target?: number | string | null;
}

const isAlarmType = (v: string): v is AlarmType => (ALARM_TYPES as string[]).includes(v);

/**
 * Maps what a publisher sent to an Argus type, default level and source:
 * 1. `type` already an AlarmType (raiseAlarm, or a driver that classified itself): kept;
 * 2. the vendor code (sourceCode, else type) in the source's table (all tables when unsaid);
 * 3. http-push records without a known code: the TLV target, then the report kind;
 * 4. anything else: OTHER, with the code kept in sourceCode (never dropped).
 */
export function classifyAlarm(input: ClassifyInput): Classification {
  const source = parseAlarmSource(input.source);
  const rawType = input.type?.trim() || null;
  const givenCode = input.sourceCode?.trim() || null;
  if (rawType && isAlarmType(rawType)) {
    const entry = givenCode ? lookupCode(givenCode, source) : null;
    return { type: rawType, level: TYPE_DEFAULT_LEVEL[rawType], source: source ?? entry?.source ?? null, sourceCode: givenCode, entry: entry?.type === rawType ? entry : null };
  }
  const sourceCode = givenCode ?? rawType;
  for (const code of [givenCode, rawType]) {
    if (!code) continue;
    const entry = lookupCode(code, source);
    if (entry) return { type: entry.type, level: entry.level, source: source ?? entry.source, sourceCode, entry };
  }
  if (source === AlarmSource.HTTP_PUSH || (!source && input.kind != null)) {
    const targetCode = typeof input.target === 'number' ? META_TARGET_CODES[input.target] : typeof input.target === 'string' ? input.target : undefined;
    const entry = targetCode ? lookupCode(targetCode, AlarmSource.HTTP_PUSH) : null;
    if (entry) return { type: entry.type, level: entry.level, source: AlarmSource.HTTP_PUSH, sourceCode: sourceCode ?? entry.code, entry };
    const byKind = input.kind ? HTTP_PUSH_KIND_TYPE[input.kind] : undefined;
    if (byKind) return { type: byKind, level: TYPE_DEFAULT_LEVEL[byKind], source: source ?? AlarmSource.HTTP_PUSH, sourceCode, entry: null };
  }
  return { type: AlarmType.OTHER, level: TYPE_DEFAULT_LEVEL[AlarmType.OTHER], source, sourceCode, entry: null };
}
