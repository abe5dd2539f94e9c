/**
 * The tag tables of the tlv_report body (camera-http-push-protocol.txt §4.4), as data.
 *
 * Layer 1: one TLV per record; T is one of three four-letter heads.
 * Layer 2: the record's V is a stack of TLVs; T is a 32-bit tag from the table below.
 */

/** How a layer-2 value is laid out on the wire (all integers big-endian, unsigned). */
export type TlvValueKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  /** UTF-8 text, no terminator required. */
  | 'string'
  /** Opaque binary (pictures, feature vectors, face IDs). */
  | 'bytes'
  /** PIC_SIZE: u16 width, u16 height. */
  | 'size'
  /** OBJ_RECT: u16 x, y, w, h. */
  | 'rect'
  /** OCR_REGION_POINTS: 4 × (u16 x, u16 y). */
  | 'quad'
  /** OCR_EACH_CONFIDENCE: N × u16. */
  | 'u16list';

export interface TlvTagSpec {
  /** The numeric tag, as on the wire. */
  readonly tag: number;
  /** The constant's name in the spec's tables. */
  readonly specName: string;
  readonly kind: TlvValueKind;
  /** The spec's section whose table lists the tag. */
  readonly section: string;
  /** What the spec says the value means, in English. */
  readonly doc: string;
}

/**
 * Every layer-2 tag of the spec (35), keyed by the readable field name used in decoded items.
 * Order is the spec's table order. There is no 0x1000E (the spec skips it).
 */
export const TLV_TAGS = {
  target: { tag: 0x1, specName: 'TARGET', kind: 'u32', section: '4.4.2', doc: 'target type, MetaTarget_e' },
  aiName: { tag: 0x2, specName: 'AI_NAME', kind: 'string', section: '4.4.2', doc: 'algorithm name, tells vendors apart' },
  deviceId: { tag: 0x3, specName: 'DEVICEID', kind: 'string', section: '4.4.2', doc: 'device ID, string form' },
  channelId: { tag: 0x4, specName: 'CHANNELID', kind: 'u32', section: '4.4.2', doc: 'channel number' },
  pts: { tag: 0x5, specName: 'PTS', kind: 'u64', section: '4.4.2', doc: 'ms since 1970 of the device wall clock, time zone ignored' },
  picSize: { tag: 0x6, specName: 'PIC_SIZE', kind: 'size', section: '4.4.2', doc: 'image width and height, u16 each' },
  objRect: { tag: 0x7, specName: 'OBJ_RECT', kind: 'rect', section: '4.4.2', doc: 'crop position and size, u16 x, y, w, h' },
  objId: { tag: 0x8, specName: 'OBJ_ID', kind: 'u64', section: '4.4.2', doc: 'target ID, uint64_t' },
  objPic: { tag: 0x9, specName: 'OBJ_PIC', kind: 'bytes', section: '4.4.2', doc: 'target crop, binary image' },
  snapshot: { tag: 0xa, specName: 'SNAPSHOT', kind: 'bytes', section: '4.4.2', doc: 'full-scene capture, binary image' },
  objName: { tag: 0x10, specName: 'OBJ_NAME', kind: 'string', section: '4.4.2', doc: 'name of the detected target' },
  faceInfo: { tag: 0x10001, specName: 'FACE_INFO', kind: 'u8', section: '4.4.2', doc: 'face sub-attributes present: 1 yes, 0 no' },
  faceGender: { tag: 0x10002, specName: 'FACE_GENDER', kind: 'u8', section: '4.4.2', doc: '1 male, 2 female' },
  faceAgeGroup: { tag: 0x10003, specName: 'FACE_AGEGROUP', kind: 'u8', section: '4.4.2', doc: '1 child, 2 juvenile, 3 youth, 4 middle-aged, 5 elderly' },
  faceMask: { tag: 0x10004, specName: 'FACE_MASK', kind: 'u8', section: '4.4.2', doc: '1 wearing a mask, 0 not' },
  faceExpression: { tag: 0x10005, specName: 'FACE_EXPRESSION', kind: 'u8', section: '4.4.2', doc: '1 smile, 2 angry, 3 sad, 4 normal, 5 surprised' },
  faceHat: { tag: 0x10006, specName: 'FACE_HAT', kind: 'u8', section: '4.4.2', doc: '1 yes, 0 no' },
  faceBeard: { tag: 0x10007, specName: 'FACE_BEARD', kind: 'u8', section: '4.4.2', doc: '1 yes, 0 no' },
  faceHair: { tag: 0x10008, specName: 'FACE_HAIR', kind: 'u8', section: '4.4.2', doc: '1 long, 2 short' },
  faceGlass: { tag: 0x10009, specName: 'FACE_GLASS', kind: 'u8', section: '4.4.2', doc: '0 none, 1 ordinary glasses, 2 sunglasses' },
  faceFeature: { tag: 0x1000a, specName: 'FACE_FEATURE', kind: 'bytes', section: '4.4.2', doc: 'face-recognition feature vector' },
  faceSimilarity: { tag: 0x1000b, specName: 'FACE_SIMILARITY', kind: 'u16', section: '4.4.2', doc: 'similarity 0-10000, /100 for percent' },
  faceLiveness: { tag: 0x1000c, specName: 'FACE_LIVENESS', kind: 'u8', section: '4.4.2', doc: 'live person: 1 yes, 0 no' },
  faceId: { tag: 0x1000d, specName: 'FACE_ID', kind: 'bytes', section: '4.4.2', doc: 'face ID in the face library, binary' },
  faceTemperature: { tag: 0x1000f, specName: 'FACE_TEMPERATURE', kind: 'u16', section: '4.4.2', doc: 'face temperature, °C × 100' },
  customerCountIn: { tag: 0x40001, specName: 'CUSTOMER_COUNT_IN', kind: 'u32', section: '4.4.3', doc: 'people entering' },
  customerCountOut: { tag: 0x40002, specName: 'CUSTOMER_COUNT_OUT', kind: 'u32', section: '4.4.3', doc: 'people leaving' },
  customerPass: { tag: 0x40003, specName: 'CUSTOMER_PASS', kind: 'u32', section: '4.4.3', doc: 'people passing by' },
  customerCountKeep: { tag: 0x40004, specName: 'CUSTOMER_COUNT_KEEP', kind: 'u32', section: '4.4.3', doc: 'people staying' },
  ocrRegionNum: { tag: 0xa0001, specName: 'META_TYPE_OCR_REGION_NUM', kind: 'u8', section: '4.4.4', doc: 'number of text regions' },
  ocrRegionPoints: { tag: 0xa0002, specName: 'META_TYPE_OCR_REGION_POINTS', kind: 'quad', section: '4.4.4', doc: '4 corner points, u16 x, y each' },
  ocrRegionName: { tag: 0xa0003, specName: 'META_TYPE_OCR_REGION_NAME', kind: 'string', section: '4.4.4', doc: 'region name' },
  ocrText: { tag: 0xa0004, specName: 'META_TYPE_OCR_TEXT', kind: 'string', section: '4.4.4', doc: 'recognition result' },
  ocrConfidence: { tag: 0xa0005, specName: 'META_TYPE_OCR_CONFIDENCE', kind: 'u16', section: '4.4.4', doc: 'confidence 0-10000, /100 for percent' },
  ocrEachConfidence: { tag: 0xa0006, specName: 'META_TYPE_OCR_EACH_CONFIDENCE', kind: 'u16list', section: '4.4.4', doc: 'per-character confidence, u16 each, 0-10000' },
} as const satisfies Record<string, TlvTagSpec>;

export type TlvTagTable = typeof TLV_TAGS;
/** Readable name of a layer-2 tag: `target`, `faceGender`, `ocrText`, … */
export type TlvFieldName = keyof TlvTagTable;
export type TlvKindOf<F extends TlvFieldName> = TlvTagTable[F]['kind'];
export type TlvTagOf<F extends TlvFieldName> = TlvTagTable[F]['tag'];

export const TLV_FIELD_NAMES = Object.keys(TLV_TAGS) as TlvFieldName[];

const byTag = new Map<number, TlvFieldName>(TLV_FIELD_NAMES.map((f) => [TLV_TAGS[f].tag, f]));

/** The field name of a layer-2 tag of the spec, or undefined for a tag the spec does not define. */
export function tlvFieldOfTag(tag: number): TlvFieldName | undefined {
  return byTag.get(tag);
}

/** Spec width in bytes of the integer kinds. */
export const INT_WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8 } as const;
export type TlvIntKind = keyof typeof INT_WIDTH;
export type TlvIntWidth = 1 | 2 | 4 | 8;

export function isIntKind(kind: TlvValueKind): kind is TlvIntKind {
  return kind === 'u8' || kind === 'u16' || kind === 'u32' || kind === 'u64';
}

// ---------------------------------------------------------------------------------------------
// Layer 1

/** The three layer-1 heads (§4.4.1.2): META intelligent metadata, ALAM alarm data, AREA detection boxes. */
export const TLV_HEADS = ['META', 'ALAM', 'AREA'] as const;
export type TlvHead = (typeof TLV_HEADS)[number];

function asciiTag(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
}

/**
 * Layer-1 T as the spec's reading has it (notes §8 D1): the four ASCII letters in reading order,
 * `META` = 4D 45 54 41.
 */
export const TLV_HEAD_TAG: Readonly<Record<TlvHead, number>> = {
  META: asciiTag('META'),
  ALAM: asciiTag('ALAM'),
  AREA: asciiTag('AREA'),
};

/**
 * Layer-1 T with the letters reversed (`ATEM` = 41 54 45 4D), what a camera sends if it builds the
 * tag with a little-endian MKTAG before converting to network order. Accepted on input (D1).
 */
export const TLV_HEAD_TAG_REVERSED: Readonly<Record<TlvHead, number>> = {
  META: asciiTag('ATEM'),
  ALAM: asciiTag('MALA'),
  AREA: asciiTag('AERA'),
};

const headByTag = new Map<number, TlvHead>();
for (const h of TLV_HEADS) {
  headByTag.set(TLV_HEAD_TAG[h], h);
  headByTag.set(TLV_HEAD_TAG_REVERSED[h], h);
}

/** The head a layer-1 tag denotes (either letter order), or undefined for a tag the spec does not define. */
export function tlvHeadOfTag(tag: number): TlvHead | undefined {
  return headByTag.get(tag);
}

// ---------------------------------------------------------------------------------------------
// Enumerated values

/** MetaTarget_e (§4.4.1.3), the value of TARGET. 12 is not defined. */
export const MetaTarget = {
  META_TARGET_FACE: 1,
  META_TARGET_BODY: 2,
  META_TARGET_MOTOR_VEHICLE: 3,
  META_TARGET_NONMOTOR_VEHICLE: 4,
  META_TARGET_CUSTOMER_COUNTER: 5,
  META_TARGET_HOT_MAP: 6,
  META_TARGET_HOT_AREA: 7,
  META_TARGET_CUSTOMER_COUNTER_BASIC: 8,
  META_TARGET_HOT_AREA_BASIC: 9,
  META_TARGET_EXTERNAL_SENSOR: 10,
  META_TARGET_COMMON: 11,
  META_TARGET_HUMAN_QUEUE_LENGTH: 13,
  META_TARGET_LICENSE_PLATE_RECOGNITION: 14,
  META_TARGET_OCR: 15,
  META_TARGET_CUSTOMER_GROUP_COUNTER: 16,
} as const;
export type MetaTargetName = keyof typeof MetaTarget;

const targetNames = new Map<number, MetaTargetName>(
  (Object.keys(MetaTarget) as MetaTargetName[]).map((k) => [MetaTarget[k], k]),
);

/** `META_TARGET_FACE` for 1, …; undefined for values the enum does not define (0, 12, 17+). */
export function metaTargetName(value: number): MetaTargetName | undefined {
  return targetNames.get(value);
}

/** The meanings the spec gives the values of the enumerated one-byte face tags. */
export const TLV_VALUE_LABELS = {
  faceInfo: { 0: 'absent', 1: 'present' },
  faceGender: { 1: 'male', 2: 'female' },
  faceAgeGroup: { 1: 'child', 2: 'juvenile', 3: 'youth', 4: 'middle-aged', 5: 'elderly' },
  faceMask: { 0: 'no', 1: 'yes' },
  faceExpression: { 1: 'smile', 2: 'angry', 3: 'sad', 4: 'normal', 5: 'surprised' },
  faceHat: { 0: 'no', 1: 'yes' },
  faceBeard: { 0: 'no', 1: 'yes' },
  faceHair: { 1: 'long', 2: 'short' },
  faceGlass: { 0: 'none', 1: 'glasses', 2: 'sunglasses' },
  faceLiveness: { 0: 'no', 1: 'yes' },
} as const satisfies Partial<Record<TlvFieldName, Record<number, string>>>;
