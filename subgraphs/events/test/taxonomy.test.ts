import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AlarmLevel, AlarmSource, AlarmType, ALARM_TYPES } from '../src/alarm-model.js';
import {
  CMIOT_TAXONOMY, HTTP_PUSH_TAXONOMY, HUAWEI_TAXONOMY, META_TARGET_CODES, TAXONOMY, TYPE_DEFAULT_LEVEL,
  classifyAlarm, lookupCode, parseAlarmSource, type TaxonomyEntry,
} from '../src/taxonomy/index.js';
import { alarmFromEvent } from '../src/alarm-event.js';

const SPECS = process.env.ARGUS_SPECS_DIR ?? resolve(import.meta.dirname, '../../../../shared/specs');
const spec = (file: string): string | null => (existsSync(resolve(SPECS, file)) ? readFileSync(resolve(SPECS, file), 'utf8') : null);
const ALL: TaxonomyEntry[] = Object.values(TAXONOMY).flat();
const codesOf = (entries: readonly TaxonomyEntry[]) => new Set(entries.map((e) => e.code));
/** The lines of `text` from the line equal to `start` (its last occurrence) up to the next line starting with `end`. */
function section(text: string, start: string, end: string): string[] {
  const lines = text.split('\n');
  let from = -1;
  lines.forEach((l, i) => {
    if (l.trim() === start) from = i;
  });
  if (from < 0) throw new Error(`section ${start} not found`);
  const to = lines.findIndex((l, i) => i > from && l.trim().startsWith(end));
  return lines.slice(from + 1, to < 0 ? undefined : to);
}

describe('taxonomy tables', () => {
  it('every entry maps to a real Argus type with a level, and no code is listed twice in a source', () => {
    expect(ALL.length).toBeGreaterThan(200);
    for (const e of ALL) {
      expect(ALARM_TYPES, `${e.source} ${e.code}`).toContain(e.type);
      expect([AlarmLevel.INFO, AlarmLevel.MINOR, AlarmLevel.MAJOR, AlarmLevel.CRITICAL]).toContain(e.level);
      expect(e.name.length, `${e.source} ${e.code} has a name`).toBeGreaterThan(2);
      expect(e.label.length).toBeGreaterThan(0);
    }
    for (const entries of Object.values(TAXONOMY)) expect(codesOf(entries).size).toBe(entries.length);
    for (const t of ALARM_TYPES) expect(TYPE_DEFAULT_LEVEL[t], t).toBeDefined();
  });

  it.each(ALL.map((e) => [`${e.source} ${e.code}`, e] as const))('%s maps to its type, level and source', (_name, e) => {
    expect(lookupCode(e.code, e.source)).toBe(e);
    expect(lookupCode(e.code.toUpperCase(), e.source)).toBe(e);
    const c = classifyAlarm({ type: e.code, sourceCode: e.code, source: e.source });
    expect(c).toEqual({ type: e.type, level: e.level, source: e.source, sourceCode: e.code, entry: e });
    // what events stores for a driver payload carrying the code
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: e.code, source: e.source }, { id: `evt_${e.source}_${e.code}`, publishedAt: 0 });
    expect(r.ok && r.alarm).toMatchObject({ type: e.type, level: e.level, source: e.source, sourceCode: e.code, description: e.name });
  });

  it('finds codes without a source: http-push and Huawei names, China Mobile numbers (Huawei numbers need the source)', () => {
    for (const e of HTTP_PUSH_TAXONOMY) expect(lookupCode(e.code)?.source).toBe(AlarmSource.HTTP_PUSH);
    for (const e of HUAWEI_TAXONOMY.filter((x) => !/^\d+$/.test(x.code))) expect(lookupCode(e.code)).toBe(e);
    for (const e of CMIOT_TAXONOMY) expect(lookupCode(e.code)).toBe(e);
    expect(lookupCode('57')).toBeNull(); // Huawei trecord_type 57 (fall) is not CMIOT's, and not guessed
    expect(lookupCode('57', AlarmSource.HUAWEI)?.type).toBe(AlarmType.FALL);
    expect(lookupCode('1')?.type).toBe(AlarmType.MOTION); // CMIOT 1
    expect(lookupCode('1', AlarmSource.HUAWEI)?.type).toBe(AlarmType.TAMPER);
  });

  it('keeps unknown codes as OTHER with the code, never silently dropped', () => {
    expect(classifyAlarm({ type: 'brand_new_detector', source: 'http-push' })).toEqual({
      type: AlarmType.OTHER, level: TYPE_DEFAULT_LEVEL[AlarmType.OTHER], source: AlarmSource.HTTP_PUSH, sourceCode: 'brand_new_detector', entry: null,
    });
    expect(classifyAlarm({ type: '99999', source: 'CMIOT' })).toMatchObject({ type: AlarmType.OTHER, sourceCode: '99999', source: AlarmSource.CMIOT });
    expect(classifyAlarm({ type: null })).toMatchObject({ type: AlarmType.OTHER, sourceCode: null, source: null });
    const r = alarmFromEvent({ tenantId: 't', deviceId: 'd', type: 'brand_new_detector' }, { id: 'e', publishedAt: 0 });
    expect(r.ok && r.alarm).toMatchObject({ type: AlarmType.OTHER, sourceCode: 'brand_new_detector', description: '' });
  });

  it('keeps a type the publisher already classified, with its vendor code', () => {
    expect(classifyAlarm({ type: 'INTRUSION', sourceCode: 'ebike_detection' })).toMatchObject({
      type: AlarmType.INTRUSION, level: TYPE_DEFAULT_LEVEL[AlarmType.INTRUSION], sourceCode: 'ebike_detection', source: AlarmSource.HTTP_PUSH, entry: null,
    });
    expect(classifyAlarm({ type: 'EBIKE', sourceCode: 'ebike_detection', source: 'http-push' }).entry?.code).toBe('ebike_detection');
  });

  it('classifies tlv records by TARGET and reports by kind when the code is not in the table', () => {
    for (const [target, code] of Object.entries(META_TARGET_CODES)) {
      expect(classifyAlarm({ type: 'ALAM', source: 'http-push', kind: 'tlv', target: Number(target) }).entry?.code).toBe(code);
    }
    expect(classifyAlarm({ type: null, kind: 'tlv', target: 'META_TARGET_OCR' })).toMatchObject({ type: AlarmType.OCR, source: AlarmSource.HTTP_PUSH, sourceCode: 'META_TARGET_OCR' });
    expect(classifyAlarm({ type: 'over_temp', source: 'http-push', kind: 'temperature' })).toMatchObject({ type: AlarmType.TEMPERATURE, sourceCode: 'over_temp' });
    expect(classifyAlarm({ type: 'modbus', source: 'http-push', kind: 'environment' }).type).toBe(AlarmType.ENVIRONMENT);
    expect(classifyAlarm({ type: 'x.jpg', source: 'http-push', kind: 'snapshot' }).type).toBe(AlarmType.SNAPSHOT);
    expect(classifyAlarm({ type: 'zz', source: 'http-push', kind: 'tlv', target: 12 }).type).toBe(AlarmType.OTHER); // 12 is undefined in MetaTarget_e
  });

  it('reads source names as publishers write them', () => {
    expect(parseAlarmSource('http-push')).toBe(AlarmSource.HTTP_PUSH);
    expect(parseAlarmSource('HTTP_PUSH')).toBe(AlarmSource.HTTP_PUSH);
    expect(parseAlarmSource('huawei-ivm')).toBe(AlarmSource.HUAWEI);
    expect(parseAlarmSource('CMIOT')).toBe(AlarmSource.CMIOT);
    expect(parseAlarmSource('ehome')).toBe(AlarmSource.ISUP);
    expect(parseAlarmSource('nope')).toBeNull();
    expect(parseAlarmSource(3)).toBeNull();
  });
});

describe('taxonomy against the specs (every code the specs define is mapped)', () => {
  const httpPush = spec('camera-http-push-protocol.txt');
  const cmiot = spec('cmiot-video-northbound-api.txt');
  const huawei = spec('huawei-ivm-api.txt');

  it.skipIf(!httpPush)('HTTP push: alarm_report alarm_type, event_report type, dual parking types, MetaTarget_e', () => {
    const found = new Set([...httpPush!.matchAll(/\b(ebike_[a-z]+|falling_[a-z]+|dual_parking_[a-z_]+)\b/g)].map((m) => m[1]!));
    const targets = new Set([...httpPush!.matchAll(/\b(META_TARGET_[A-Z_]+)\s*=/g)].map((m) => m[1]!));
    expect(found.size).toBe(11);
    expect(targets.size).toBe(15);
    const codes = codesOf(HTTP_PUSH_TAXONOMY);
    for (const c of [...found, ...targets]) expect(codes, c).toContain(c);
    // and nothing invented: every table code is in the spec, or says why it is not
    for (const e of HTTP_PUSH_TAXONOMY) if (!httpPush!.includes(e.code)) expect(e.note, e.code).toMatch(/assumed|alias/);
  });

  it.skipIf(!cmiot)('China Mobile: §5.2 device alarm list and §5.4.6 AI event codes', () => {
    const alarms = section(cmiot!, '5.2 设备告警清单', '5.3').flatMap((l) => /^(\d{1,3})\t/.exec(l)?.[1] ?? []);
    const events = section(cmiot!, '事件类型编码中对应场景属性:', '5.4.6.1').flatMap((l) => /^(\d{4,5})[\t ]/.exec(l)?.[1] ?? []);
    expect(new Set(alarms).size).toBe(27);
    expect(new Set(events).size).toBe(68);
    const codes = codesOf(CMIOT_TAXONOMY);
    for (const c of [...alarms, ...events]) expect(codes, c).toContain(c);
    expect(codes.size).toBe(new Set([...alarms, ...events]).size);
  });

  it.skipIf(!huawei)('Huawei IVM: table 10-15, the alarm_type enum, and trecord_type (table 20-3)', () => {
    const table = section(huawei!, '表 10-15 告警算法与告警类型关系表', '示例一')
      .flatMap((l) => l.split('\t').map((c) => c.trim()))
      .filter((c) => /^[a-z][a-z_]+$/.test(c));
    const enumLine = huawei!.split('\n').find((l) => l.startsWith('alarm_type\tString\t告警类型：枚举类型'))!;
    const enumCodes = [...enumLine.matchAll(/•\s*([a-z_]+)/g)].map((m) => m[1]!);
    const trecord = section(huawei!, '表 20-3 trecord\\_type 告警类型', '表 20-4')
      .flatMap((l) => l.split('\t').map((c) => c.trim()))
      .filter((c) => /^\d+$/.test(c));
    expect(new Set(table).size).toBe(27);
    expect(enumCodes.length).toBe(21);
    expect(new Set(trecord).size).toBe(61);
    const codes = codesOf(HUAWEI_TAXONOMY);
    for (const c of [...table, ...enumCodes, ...trecord]) expect(codes, c).toContain(c);
  });
});
