import { AlarmLevel, AlarmSource, AlarmType } from '../alarm-model.js';

/** One vendor code and what it means in Argus. */
export interface TaxonomyEntry {
  source: AlarmSource;
  /** The vendor's code, exactly as the spec writes it (matched case-insensitively). */
  code: string;
  type: AlarmType;
  /** Default level when the device does not give one. */
  level: AlarmLevel;
  /** English name; the alarm's description when the device sends none. */
  name: string;
  /** The spec's own label (Chinese where the spec is). */
  label: string;
  /** Where the spec defines it, and any reading taken. */
  note?: string;
}

/** Default level of each Argus type (a table entry may override it). */
export const TYPE_DEFAULT_LEVEL: Readonly<Record<AlarmType, AlarmLevel>> = {
  [AlarmType.MOTION]: AlarmLevel.MINOR,
  [AlarmType.VIDEO_LOSS]: AlarmLevel.MAJOR,
  [AlarmType.TAMPER]: AlarmLevel.MAJOR,
  [AlarmType.LINE_CROSSING]: AlarmLevel.MAJOR,
  [AlarmType.INTRUSION]: AlarmLevel.MAJOR,
  [AlarmType.FACE]: AlarmLevel.MINOR,
  [AlarmType.PLATE]: AlarmLevel.MINOR,
  [AlarmType.PERSON_COUNT]: AlarmLevel.INFO,
  [AlarmType.TEMPERATURE]: AlarmLevel.MAJOR,
  [AlarmType.ENVIRONMENT]: AlarmLevel.MINOR,
  [AlarmType.IO_INPUT]: AlarmLevel.MAJOR,
  [AlarmType.MANUAL]: AlarmLevel.MAJOR,
  [AlarmType.OTHER]: AlarmLevel.MINOR,
  [AlarmType.PERSON]: AlarmLevel.MINOR,
  [AlarmType.VEHICLE]: AlarmLevel.INFO,
  [AlarmType.EBIKE]: AlarmLevel.MAJOR,
  [AlarmType.FIRE]: AlarmLevel.CRITICAL,
  [AlarmType.SMOKE]: AlarmLevel.CRITICAL,
  [AlarmType.FALL]: AlarmLevel.CRITICAL,
  [AlarmType.FALLING_OBJECT]: AlarmLevel.CRITICAL,
  [AlarmType.LOITERING]: AlarmLevel.MINOR,
  [AlarmType.CROWD]: AlarmLevel.MAJOR,
  [AlarmType.FIGHT]: AlarmLevel.CRITICAL,
  [AlarmType.RUNNING]: AlarmLevel.MINOR,
  [AlarmType.FAST_MOVING]: AlarmLevel.MINOR,
  [AlarmType.WRONG_WAY]: AlarmLevel.MAJOR,
  [AlarmType.CLIMBING]: AlarmLevel.MAJOR,
  [AlarmType.OFF_DUTY]: AlarmLevel.MINOR,
  [AlarmType.SLEEPING]: AlarmLevel.MINOR,
  [AlarmType.PHONE_USE]: AlarmLevel.MINOR,
  [AlarmType.SMOKING]: AlarmLevel.MAJOR,
  [AlarmType.MASK]: AlarmLevel.MINOR,
  [AlarmType.HELMET]: AlarmLevel.MAJOR,
  [AlarmType.UNIFORM]: AlarmLevel.MINOR,
  [AlarmType.OBJECT_LEFT]: AlarmLevel.MAJOR,
  [AlarmType.OBJECT_REMOVED]: AlarmLevel.MAJOR,
  [AlarmType.PARKING]: AlarmLevel.MINOR,
  [AlarmType.TRAFFIC]: AlarmLevel.MAJOR,
  [AlarmType.AUDIO]: AlarmLevel.MINOR,
  [AlarmType.HEAT_MAP]: AlarmLevel.INFO,
  [AlarmType.OCR]: AlarmLevel.INFO,
  [AlarmType.SNAPSHOT]: AlarmLevel.INFO,
  [AlarmType.VIDEO_QUALITY]: AlarmLevel.MINOR,
  [AlarmType.DEVICE_FAULT]: AlarmLevel.MAJOR,
  [AlarmType.DEVICE_OFFLINE]: AlarmLevel.MAJOR,
  [AlarmType.URBAN_MANAGEMENT]: AlarmLevel.MINOR,
  [AlarmType.GARBAGE]: AlarmLevel.MINOR,
};

/** A table builder for one source: `e(code, type, name, label, level?, note?)`. */
export function tableOf(source: AlarmSource) {
  return (code: string, type: AlarmType, name: string, label: string, level?: AlarmLevel, note?: string): TaxonomyEntry => ({
    source,
    code,
    type,
    level: level ?? TYPE_DEFAULT_LEVEL[type],
    name,
    label,
    ...(note ? { note } : {}),
  });
}
