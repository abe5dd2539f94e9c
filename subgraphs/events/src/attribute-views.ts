/**
 * Typed readings of an alarm's attributes (Alarm.face, .vehicle, .personCount, .temperature,
 * .environment), from the JSON the publisher stored. Pure functions: each returns null when the
 * attributes carry nothing of its kind.
 *
 * Field names read, by source:
 * - http-push event_report `extern` (spec 报警扩展数据): face attributes gender, age (age group 1-5),
 *   mask, expression, hat, bread (sic, beard), hair, glass, thumbnail_file_path; dual parking
 *   plate_no, plate_type, plate_color, vehicle_type, vehicle_color, vehicle_orient, parking_id,
 *   parking_name, entry_type;
 * - http-push tlv_report records as describeTlvRecord names them: faceGender, faceAgeGroup, faceMask,
 *   faceExpression, faceHat, faceBeard, faceHair, faceGlass, faceSimilarity (0-10000), faceLiveness,
 *   faceTemperature (°C × 100), objName, customerCountIn/Out, customerPass, customerCountKeep;
 * - report_temper_data temper_rect[] { id, name, temper, over_threshold }; modbus reportData
 *   data { "@N": value } and alarm { "@N": 0 below minimum | 1 above maximum };
 * - China Mobile AI events faceAttr.faces[], vehicleAttr.vehicles[], customerFlowAttr,
 *   faceContrastAttr.faceContrasts[]; Huawei device_alarm target {…}, enter_count, leave_count, …
 * The raw fields may sit at the top of attributes or nested (extern, msg, …): objects are searched
 * breadth first, three levels deep, taking the first element of arrays of objects.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v != null && typeof v === 'object' && !Array.isArray(v);

/** The attributes object and the objects nested in it, breadth first (root first). */
function scopesOf(attributes: Obj): Obj[] {
  const out: Obj[] = [];
  let level: Obj[] = [attributes];
  for (let depth = 0; depth < 4 && level.length && out.length < 64; depth++) {
    const next: Obj[] = [];
    for (const o of level) {
      out.push(o);
      for (const [k, v] of Object.entries(o)) {
        if (k === 'pictures') continue;
        if (isObj(v)) next.push(v);
        else if (Array.isArray(v) && isObj(v[0]) && k !== 'temper_rect' && k !== 'readings') next.push(v[0]);
      }
    }
    level = next;
  }
  return out;
}

class Fields {
  readonly scopes: Obj[];
  constructor(
    readonly attributes: Obj,
    private readonly fallbackSource: string | null = null,
  ) {
    this.scopes = scopesOf(attributes);
  }
  /** The first present value of any of the names (in scope order), or undefined. */
  pick(...names: string[]): unknown {
    for (const s of this.scopes) for (const n of names) if (s[n] !== undefined && s[n] !== null && s[n] !== '') return s[n];
    return undefined;
  }
  /** Like pick, but not at the top level (for generic names such as `name` or `color`). */
  pickNested(...names: string[]): unknown {
    for (const s of this.scopes.slice(1)) for (const n of names) if (s[n] !== undefined && s[n] !== null && s[n] !== '') return s[n];
    return undefined;
  }
  /** attributes.source (else the alarm's source), normalised: `http-push`, `huawei`, `cmiot`, … */
  get source(): string {
    const s = typeof this.attributes.source === 'string' ? this.attributes.source : this.fallbackSource ?? '';
    return s.toLowerCase().replace(/[_\s]/g, '-');
  }
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}
function int(v: unknown): number | null {
  const n = num(v);
  return n != null && Number.isInteger(n) ? n : null;
}
function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
}
/** 1/0, 'yes'/'no', true/false → boolean; anything else (unknown) → null. */
function yesNo(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const n = num(v);
  if (n === 1) return true;
  if (n === 0) return false;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'yes' || s === 'true') return true;
    if (s === 'no' || s === 'false') return false;
  }
  return null;
}
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function present<T extends Obj>(o: T): T | null {
  return Object.values(o).some((v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) ? o : null;
}

/** Stored attributes (JSON text or object); `source` is the alarm's source, for attributes that do not say. */
export type AttributesInput = string | Obj | null | undefined;

function parse(attributes: AttributesInput, source?: string | null): Fields | null {
  if (!attributes) return null;
  if (typeof attributes === 'string') {
    try {
      const v = JSON.parse(attributes) as unknown;
      return isObj(v) ? new Fields(v, source ?? null) : null;
    } catch {
      return null;
    }
  }
  return new Fields(attributes, source ?? null);
}

// ---------------------------------------------------------------------------------------------
// Face

export type Gender = 'MALE' | 'FEMALE';
export type AgeGroup = 'CHILD' | 'JUVENILE' | 'YOUTH' | 'MIDDLE_AGED' | 'ELDERLY';
export type Glasses = 'NONE' | 'GLASSES' | 'SUNGLASSES';

export interface FaceView {
  gender: Gender | null;
  ageGroup: AgeGroup | null;
  age: number | null;
  mask: boolean | null;
  glasses: Glasses | null;
  hat: boolean | null;
  beard: boolean | null;
  hair: string | null;
  expression: string | null;
  /** Similarity to the matched library face, percent (0-100). */
  similarity: number | null;
  liveness: boolean | null;
  /** Face temperature, °C. */
  temperature: number | null;
  /** Name of the matched person or target, when the device gives one. */
  name: string | null;
  /** The device-local path of the thumbnail (as the device reports it). */
  thumbnailPath: string | null;
}

const AGE_GROUP_CODES: Record<number, AgeGroup> = { 1: 'CHILD', 2: 'JUVENILE', 3: 'YOUTH', 4: 'MIDDLE_AGED', 5: 'ELDERLY' };
const AGE_GROUP_NAMES: Record<string, AgeGroup> = {
  child: 'CHILD', children: 'CHILD', juvenile: 'JUVENILE', teen: 'JUVENILE', young: 'YOUTH', youth: 'YOUTH', youths: 'YOUTH',
  middle: 'MIDDLE_AGED', middle_age: 'MIDDLE_AGED', middle_aged: 'MIDDLE_AGED', 'middle-aged': 'MIDDLE_AGED',
  old: 'ELDERLY', old_age: 'ELDERLY', elderly: 'ELDERLY',
};
const EXPRESSION_CODES: Record<number, string> = { 1: 'smile', 2: 'angry', 3: 'sad', 4: 'normal', 5: 'surprised' };

function gender(v: unknown): Gender | null {
  const n = int(v);
  if (n === 1) return 'MALE';
  if (n === 2) return 'FEMALE';
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'male' || s === 'm' || s === '男') return 'MALE';
  if (s === 'female' || s === 'f' || s === '女') return 'FEMALE';
  return null;
}
function ageGroup(v: unknown): AgeGroup | null {
  const n = int(v);
  if (n != null) return AGE_GROUP_CODES[n] ?? null;
  return typeof v === 'string' ? AGE_GROUP_NAMES[v.trim().toLowerCase()] ?? null : null;
}
function glasses(v: unknown): Glasses | null {
  const n = int(v);
  if (n === 0) return 'NONE';
  if (n === 1) return 'GLASSES';
  if (n === 2) return 'SUNGLASSES';
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'no' || s === 'none') return 'NONE';
  if (s === 'yes' || s === 'glasses') return 'GLASSES';
  if (s === 'sunglasses') return 'SUNGLASSES';
  return null;
}

export function faceOf(attributes: AttributesInput, source?: string | null): FaceView | null {
  const f = parse(attributes, source);
  if (!f) return null;
  const httpPush = f.source === 'http-push';
  // http-push JSON `age` is an age group 1-5; elsewhere (China Mobile, Huawei) a number of years
  const rawAge = f.pick('age');
  const tlvSimilarity = num(f.pick('faceSimilarity'));
  const otherSimilarity = num(f.pick('similarity'));
  const tlvTemperature = num(f.pick('faceTemperature'));
  const smile = yesNo(f.pick('smile'));
  const rawExpression = f.pick('faceExpression', 'expression', 'emotion');
  const expression = int(rawExpression) != null ? EXPRESSION_CODES[int(rawExpression)!] ?? null : text(rawExpression)?.toLowerCase() ?? (smile ? 'smile' : null);
  const hair = f.pick('faceHair', 'hair');
  const view: FaceView = {
    gender: gender(f.pick('faceGender', 'gender')),
    ageGroup: ageGroup(f.pick('faceAgeGroup', 'ageGroup', 'age_group')) ?? (httpPush ? ageGroup(rawAge) : null),
    age: !httpPush && int(rawAge) != null && int(rawAge)! > 0 ? int(rawAge) : null,
    mask: yesNo(f.pick('faceMask', 'mask')),
    glasses: glasses(f.pick('faceGlass', 'glass', 'glasses')),
    hat: yesNo(f.pick('faceHat', 'hat')),
    beard: yesNo(f.pick('faceBeard', 'bread', 'beard')),
    hair: int(hair) === 1 ? 'long' : int(hair) === 2 ? 'short' : typeof hair === 'string' ? hair.toLowerCase() : null,
    expression: expression === 'unknown' ? null : expression,
    similarity: tlvSimilarity != null ? round(tlvSimilarity / 100) : otherSimilarity != null ? round(otherSimilarity <= 1 ? otherSimilarity * 100 : otherSimilarity) : null,
    liveness: yesNo(f.pick('faceLiveness', 'live', 'liveness')),
    temperature: tlvTemperature != null ? round(tlvTemperature / 100) : null,
    name: text(f.pick('objName')) ?? (text(f.pickNested('name')) === 'unknown' ? null : text(f.pickNested('name'))),
    thumbnailPath: text(f.pick('thumbnail_file_path', 'thumbnailFilePath')),
  };
  // the face-specific fields decide; a name alone is not a face
  const { name: _n, ...specific } = view;
  return present(specific) ? view : null;
}

// ---------------------------------------------------------------------------------------------
// Vehicle and plate

export interface VehicleView {
  plateNumber: string | null;
  plateColor: string | null;
  plateType: string | null;
  vehicleColor: string | null;
  vehicleType: string | null;
  /** Which side of the vehicle faces the camera: front, rear, side. */
  direction: string | null;
  /** Parking space (dual parking: left or right, or its name). */
  parkingSpace: string | null;
  /** List the plate matched: whitelist, blacklist, unknown, new_energy, non_new_energy. */
  listType: string | null;
}

// http-push 双车位 extern codes (-1 means "all", a filter value, not a reading)
const HP_PLATE_COLOR: Record<number, string> = { 0: 'unknown', 1: 'blue', 2: 'yellow', 3: 'green', 4: 'black', 5: 'white' };
const HP_PLATE_TYPE: Record<number, string> = {
  0: 'no plate', 1: 'large vehicle', 2: 'small vehicle', 3: 'embassy', 4: 'consulate', 5: 'trailer', 6: 'driving school',
  7: 'police', 8: 'Hong Kong cross-border', 9: 'Macau cross-border', 10: 'armed police', 11: 'military', 12: 'new energy', 13: 'other',
};
const HP_VEHICLE_TYPE: Record<number, string> = {
  0: 'unknown', 1: 'sedan', 2: 'SUV', 3: 'minivan', 4: 'truck', 5: 'bicycle', 6: 'e-bike or motorcycle', 7: 'tricycle', 8: 'bus', 9: 'pickup', 10: 'goods vehicle',
};
const HP_VEHICLE_COLOR: Record<number, string> = {
  0: 'unknown', 1: 'black', 2: 'blue', 3: 'brown', 4: 'grey', 5: 'yellow', 6: 'green', 7: 'purple', 8: 'red', 9: 'white',
};
const HP_DIRECTION: Record<number, string> = { 0: 'unknown', 1: 'front', 2: 'rear', 3: 'side' };
// Huawei IVM tables 20-5 (plate colour, background first) and 20-7 (vehicle colour)
const HW_PLATE_COLOR: Record<number, string> = {
  1: 'blue', 2: 'yellow', 3: 'white', 4: 'black', 5: 'green', 6: 'gradient green', 7: 'yellow-green', 8: 'red',
  9: 'white', 10: 'blue', 11: 'white', 12: 'white', 13: 'white', 14: 'white', 15: 'grey',
};
const HW_VEHICLE_COLOR: Record<number, string> = {
  1: 'white', 2: 'grey', 3: 'yellow', 4: 'pink', 5: 'red', 6: 'green', 7: 'blue', 8: 'brown', 9: 'black', 10: 'purple', 11: 'orange', 12: 'cyan', 13: 'gold', 14: 'silver',
};

function coded(v: unknown, table: Record<number, string>): string | null {
  const n = int(v);
  if (n != null) return n < 0 ? null : table[n] ?? String(n);
  const s = text(v);
  return s && s.toLowerCase() !== 'unknown' ? s : null;
}

export function vehicleOf(attributes: AttributesInput, source?: string | null): VehicleView | null {
  const f = parse(attributes, source);
  if (!f) return null;
  const huawei = f.source.startsWith('huawei');
  const parkingId = int(f.pick('parking_id'));
  const view: VehicleView = {
    plateNumber: text(f.pick('plate_no', 'plateNo', 'plate_number', 'plateNumber', 'plate')),
    plateColor: coded(f.pick('plate_color', 'plateColor'), huawei ? HW_PLATE_COLOR : HP_PLATE_COLOR),
    plateType: coded(f.pick('plate_type', 'plateType'), HP_PLATE_TYPE),
    vehicleColor: coded(f.pick('vehicle_color', 'vehicleColor') ?? f.pickNested('color'), huawei ? HW_VEHICLE_COLOR : HP_VEHICLE_COLOR),
    vehicleType: coded(f.pick('vehicle_type', 'vehicleType'), HP_VEHICLE_TYPE),
    direction: coded(f.pick('vehicle_orient', 'vehicleHead'), HP_DIRECTION),
    parkingSpace: text(f.pick('parking_name')) ?? (parkingId === 0 ? 'left' : parkingId === 1 ? 'right' : null),
    listType: text(f.pick('entry_type')),
  };
  const { plateNumber, plateColor, vehicleColor, vehicleType, plateType } = view;
  return present({ plateNumber, plateColor, vehicleColor, vehicleType, plateType }) ? view : null;
}

// ---------------------------------------------------------------------------------------------
// Person count

export interface PersonCountView {
  in: number | null;
  out: number | null;
  passing: number | null;
  staying: number | null;
  /** The device's total, else in + out when both are given. */
  total: number | null;
}

export function personCountOf(attributes: AttributesInput, source?: string | null): PersonCountView | null {
  const f = parse(attributes, source);
  if (!f) return null;
  const inCount = int(f.pick('customerCountIn', 'inCount', 'enter_count', 'enterCount', 'side1Count'));
  const outCount = int(f.pick('customerCountOut', 'outCount', 'leave_count', 'leaveCount', 'side2Count'));
  const explicit = int(f.pick('total', 'totalCount', 'peopleCount', 'people_count'));
  const view: PersonCountView = {
    in: inCount,
    out: outCount,
    passing: int(f.pick('customerPass', 'passCount')),
    staying: int(f.pick('customerCountKeep', 'keepCount', 'repeat_count')),
    total: explicit ?? (inCount != null && outCount != null ? inCount + outCount : null),
  };
  return present(view as unknown as Obj) ? view : null;
}

// ---------------------------------------------------------------------------------------------
// Temperature

export interface TemperatureRegionView {
  id: string | null;
  name: string | null;
  value: number | null;
  threshold: number | null;
}

export interface TemperatureView {
  /** The highest reading (°C). */
  value: number | null;
  unit: 'CELSIUS';
  /** The alarm threshold of the region with the highest reading. */
  threshold: number | null;
  /** Whether a reading is above its threshold. */
  overThreshold: boolean | null;
  regions: TemperatureRegionView[];
}

export function temperatureOf(attributes: AttributesInput, source?: string | null): TemperatureView | null {
  const f = parse(attributes, source);
  if (!f) return null;
  const rects = f.pick('temper_rect', 'temperRect');
  const regions: TemperatureRegionView[] = (Array.isArray(rects) ? rects : [])
    .filter(isObj)
    .map((r) => ({ id: text(r.id), name: text(r.name), value: num(r.temper ?? r.temperature), threshold: num(r.over_threshold ?? r.threshold) }));
  const faceTemperature = num(f.pick('faceTemperature'));
  const plain = num(f.pick('temperature', 'temper'));
  const plainThreshold = num(f.pick('over_threshold', 'threshold'));
  if (faceTemperature != null) regions.push({ id: null, name: 'face', value: round(faceTemperature / 100), threshold: plainThreshold });
  else if (plain != null && !regions.length) regions.push({ id: null, name: null, value: plain, threshold: plainThreshold });
  const measured = regions.filter((r) => r.value != null);
  if (!measured.length) return null;
  const hottest = measured.reduce((a, b) => (b.value! > a.value! ? b : a));
  const over = measured.filter((r) => r.threshold != null && r.threshold > 0);
  return {
    value: hottest.value,
    unit: 'CELSIUS',
    threshold: hottest.threshold,
    overThreshold: over.length ? over.some((r) => r.value! > r.threshold!) : null,
    regions,
  };
}

// ---------------------------------------------------------------------------------------------
// Environment

export interface EnvironmentReadingView {
  name: string;
  value: number | null;
  unit: string | null;
  /** BELOW_MIN or ABOVE_MAX when the device flags the reading (modbus `alarm`). */
  alarm: 'BELOW_MIN' | 'ABOVE_MAX' | null;
}

export interface EnvironmentView {
  readings: EnvironmentReadingView[];
}

const REGISTER = /^@\d+$/;

export function environmentOf(attributes: AttributesInput, source?: string | null): EnvironmentView | null {
  const f = parse(attributes, source);
  if (!f) return null;
  const readings: EnvironmentReadingView[] = [];
  const listed = f.pick('readings');
  if (Array.isArray(listed)) {
    for (const r of listed.filter(isObj)) {
      const name = text(r.name);
      if (name) readings.push({ name, value: num(r.value), unit: text(r.unit), alarm: r.alarm === 'BELOW_MIN' || r.alarm === 'ABOVE_MAX' ? r.alarm : null });
    }
  }
  // modbus reportData: data { "@N": value }, alarm { "@N": 0 below minimum | 1 above maximum }
  const registers = f.scopes.find((s) => isObj(s.data) && Object.keys(s.data).length > 0 && Object.keys(s.data).every((k) => REGISTER.test(k)));
  if (registers) {
    const data = registers.data as Obj;
    const alarms = isObj(registers.alarm) ? (registers.alarm as Obj) : {};
    const names = [...new Set([...Object.keys(data), ...Object.keys(alarms).filter((k) => REGISTER.test(k))])];
    names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    for (const name of names) {
      const flag = int(alarms[name]);
      readings.push({ name, value: num(data[name]), unit: null, alarm: flag === 0 ? 'BELOW_MIN' : flag === 1 ? 'ABOVE_MAX' : null });
    }
  }
  return readings.length ? { readings } : null;
}
