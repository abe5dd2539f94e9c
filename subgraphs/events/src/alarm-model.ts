/**
 * The alarm vocabulary of Argus, free of decorators so that pure code (filters, bus payload
 * normalisation, state transitions) and its unit tests can use it. GraphQL registration is in
 * graphql-enums.ts.
 */

/**
 * What happened, in Argus terms. Drivers publish the vendor's code; events maps it through the
 * taxonomy (taxonomy/) to one of these and keeps the vendor code in sourceCode. Add, never rename.
 */
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
  /** A person (human shape, body) detected. */
  PERSON = 'PERSON',
  /** A motor or non-motor vehicle captured. */
  VEHICLE = 'VEHICLE',
  /** An electric bike where it must not be (lifts, corridors, fire lanes). */
  EBIKE = 'EBIKE',
  FIRE = 'FIRE',
  SMOKE = 'SMOKE',
  /** A person falling down. */
  FALL = 'FALL',
  /** An object thrown or falling from height. */
  FALLING_OBJECT = 'FALLING_OBJECT',
  /** Loitering or staying too long in an area. */
  LOITERING = 'LOITERING',
  /** Crowd density, gathering, queue length or head count over a threshold. */
  CROWD = 'CROWD',
  FIGHT = 'FIGHT',
  RUNNING = 'RUNNING',
  FAST_MOVING = 'FAST_MOVING',
  /** Moving against the allowed direction (people or vehicles). */
  WRONG_WAY = 'WRONG_WAY',
  CLIMBING = 'CLIMBING',
  /** A person absent from their post. */
  OFF_DUTY = 'OFF_DUTY',
  SLEEPING = 'SLEEPING',
  PHONE_USE = 'PHONE_USE',
  SMOKING = 'SMOKING',
  /** Mask missing (or mask rules not met). */
  MASK = 'MASK',
  /** Helmet or safety helmet missing. */
  HELMET = 'HELMET',
  /** Work clothes, hat or uniform rules not met. */
  UNIFORM = 'UNIFORM',
  OBJECT_LEFT = 'OBJECT_LEFT',
  OBJECT_REMOVED = 'OBJECT_REMOVED',
  /** Parking events: illegal parking, space occupied or freed. */
  PARKING = 'PARKING',
  /** Traffic events: congestion, accidents, lane and speed violations. */
  TRAFFIC = 'TRAFFIC',
  /** Sound detected, or audio lost or dropping. */
  AUDIO = 'AUDIO',
  HEAT_MAP = 'HEAT_MAP',
  /** Text recognised in the picture (OCR). */
  OCR = 'OCR',
  /** A picture taken on schedule or on demand, not an alarm as such. */
  SNAPSHOT = 'SNAPSHOT',
  /** Video diagnosis: blur, freeze, noise, colour cast, brightness, abnormal video. */
  VIDEO_QUALITY = 'VIDEO_QUALITY',
  /** Device health: disk full or failed, fan, battery, device temperature, network port. */
  DEVICE_FAULT = 'DEVICE_FAULT',
  DEVICE_OFFLINE = 'DEVICE_OFFLINE',
  /** City management: street vending, clutter, outdoor advertising, hanging laundry, … */
  URBAN_MANAGEMENT = 'URBAN_MANAGEMENT',
  /** Garbage exposed, bins overflowing, wrong sorting. */
  GARBAGE = 'GARBAGE',
}

/** Where an alarm came from: the device protocol or platform family whose codes it carries. */
export enum AlarmSource {
  /** A camera speaking the HTTP push protocol (alarm_report, event_report, tlv_report, …). */
  HTTP_PUSH = 'HTTP_PUSH',
  /** China Mobile video IoT codes (alarm list 5.2, AI events 5.4.6). */
  CMIOT = 'CMIOT',
  /** Huawei IVM alarm types (alarm_type strings, trecord_type numbers). */
  HUAWEI = 'HUAWEI',
  /** Hikvision ISUP/EHOME devices. */
  ISUP = 'ISUP',
  /** Raised through the API (raiseAlarm). */
  MANUAL = 'MANUAL',
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
export const ALARM_SOURCES = Object.values(AlarmSource) as AlarmSource[];
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
  /** Largest picture kept, in bytes (decoded); larger ones are dropped with a warning. */
  pictureBytes: 5 * 1024 * 1024,
  /** Most pictures kept per alarm. */
  pictures: 16,
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
  /** Protocol family of the alarm's codes; null when the publisher did not say. */
  source: AlarmSource | null;
  /** JSON text of StoredPicture[] (blob keys), or null when the alarm has no picture. */
  pictures: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  clearedAt: Date | null;
  clearedBy: string | null;
}

/** A picture of an alarm as stored: its blob key, content type and size in bytes. */
export interface StoredPicture {
  key: string;
  contentType: string;
  size: number;
  /** The device's file name, when it gave one (snap_report). */
  name?: string;
}
