/**
 * The alarm vocabulary of Argus, free of decorators so that pure code (filters, bus payload
 * normalisation, state transitions) and its unit tests can use it. GraphQL registration is in
 * graphql-enums.ts.
 */

/** What happened, in Argus terms. Drivers map vendor codes to one of these and keep the vendor code in sourceCode. */
export enum AlarmType {
  MOTION = 'MOTION',
  VIDEO_LOSS = 'VIDEO_LOSS',
  TAMPER = 'TAMPER',
  LINE_CROSSING = 'LINE_CROSSING',
  INTRUSION = 'INTRUSION',
  FACE = 'FACE',
  PLATE = 'PLATE',
  PERSON_COUNT = 'PERSON_COUNT',
  TEMPERATURE = 'TEMPERATURE',
  ENVIRONMENT = 'ENVIRONMENT',
  IO_INPUT = 'IO_INPUT',
  MANUAL = 'MANUAL',
  OTHER = 'OTHER',
}

/** Severity, 1 (lowest) to 4 (highest); stored as the number so that "at least MAJOR" is a comparison. */
export enum AlarmLevel {
  INFO = 1,
  MINOR = 2,
  MAJOR = 3,
  CRITICAL = 4,
}

/** What the device reported: an alarm starting, stopping, or a one-off pulse (no stop follows). */
export enum AlarmStatus {
  START = 'START',
  STOP = 'STOP',
  PULSE = 'PULSE',
}

/** Where the alarm is in its handling by people: NEW → ACKNOWLEDGED → CLEARED (or NEW → CLEARED). */
export enum AlarmState {
  NEW = 'NEW',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  CLEARED = 'CLEARED',
}

export const ALARM_TYPES = Object.values(AlarmType) as AlarmType[];
export const ALARM_LEVEL_NAMES = ['INFO', 'MINOR', 'MAJOR', 'CRITICAL'] as const;
export type AlarmLevelName = (typeof ALARM_LEVEL_NAMES)[number];

export function levelName(level: AlarmLevel): AlarmLevelName {
  return ALARM_LEVEL_NAMES[level - 1]!;
}

/** Column limits (see the migration); inputs beyond them are refused, bus payloads are trimmed. */
export const LIMITS = {
  id: 40,
  sourceCode: 128,
  description: 1024,
  dedupeKey: 200,
  note: 1024,
  actor: 64,
  /** Serialised JSON of attributes, in characters. */
  attributes: 16 * 1024,
} as const;

/** The stored shape of an alarm (the entity implements it; bus payloads normalise to it). */
export interface AlarmRecord {
  id: string;
  tenantId: string;
  deviceId: string;
  channelId: string | null;
  type: AlarmType;
  sourceCode: string | null;
  level: AlarmLevel;
  status: AlarmStatus;
  state: AlarmState;
  description: string;
  occurredAt: Date;
  receivedAt: Date;
  dedupeKey: string | null;
  /** JSON text of an object, or null. */
  attributes: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  clearedAt: Date | null;
  clearedBy: string | null;
}
