/**
 * TLV codec of the camera HTTP push protocol (tlv_report, spec §4.4), checked against bytes written
 * out by hand from the spec's layout: 4-byte T, 4-byte L (length of V), V; network byte order.
 */
import { describe, it, expect } from 'vitest';
import {
  TLV_FIELD_NAMES,
  TLV_HEAD_TAG,
  TLV_HEAD_TAG_REVERSED,
  TLV_TAGS,
  TlvError,
  decodeTlvItems,
  decodeTlvReport,
  describeTlvRecord,
  encodeTlvItem,
  encodeTlvItems,
  encodeTlvRecord,
  encodeTlvReport,
  isTlvError,
  metaTargetName,
  readTlvPts,
  tlvItem,
  tlvRecord,
  type TlvDecodeOptions,
  type TlvFieldName,
  type TlvItem,
  type TlvKnownItem,
  type TlvRecord,
} from '../src/index.js';

/** Bytes from hex, spaces ignored: hex('00000001 00000004 00000001'). */
function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${s}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}

/** A layer-1 record by hand: 4-byte head tag, 4-byte length, then the value bytes. */
function rawRecord(headHex: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  out.set(hex(headHex), 0);
  new DataView(out.buffer).setUint32(4, value.length);
  out.set(value, 8);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function catchTlv(fn: () => unknown): TlvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TlvError);
    return e as TlvError;
  }
  throw new Error('expected a TlvError, nothing was thrown');
}

const META = '4D455441';

// ---------------------------------------------------------------------------------------------
// One hand-built TLV per tag of the spec (§4.4.2 face, §4.4.3 customer flow, §4.4.4 OCR).

const perTag: Array<{ field: TlvFieldName; bytes: string; item: TlvKnownItem; note: string }> = [
  { field: 'target', bytes: '00000001 00000004 00000001', item: { field: 'target', tag: 0x1, value: 1 }, note: 'META_TARGET_FACE' },
  { field: 'aiName', bytes: '00000002 00000005 6A762D6169', item: { field: 'aiName', tag: 0x2, value: 'jv-ai' }, note: '"jv-ai"' },
  {
    field: 'deviceId',
    bytes: '00000003 0000000A 31323432314848544353',
    item: { field: 'deviceId', tag: 0x3, value: '12421HHTCS' },
    note: 'CloudSEE number',
  },
  { field: 'channelId', bytes: '00000004 00000004 00000001', item: { field: 'channelId', tag: 0x4, value: 1 }, note: 'channel 1' },
  {
    field: 'pts',
    bytes: '00000005 00000008 0000017AAC9CE000',
    item: { field: 'pts', tag: 0x5, value: 1626393600000n },
    note: '2021-07-16 00:00:00 wall clock, ms',
  },
  {
    field: 'picSize',
    bytes: '00000006 00000004 0780 0438',
    item: { field: 'picSize', tag: 0x6, value: { width: 1920, height: 1080 } },
    note: 'width then height',
  },
  {
    field: 'objRect',
    bytes: '00000007 00000008 0064 00C8 0050 0060',
    item: { field: 'objRect', tag: 0x7, value: { x: 100, y: 200, width: 80, height: 96 } },
    note: 'x, y, w, h',
  },
  {
    field: 'objId',
    bytes: '00000008 00000008 FFFFFFFFFFFFFFFE',
    item: { field: 'objId', tag: 0x8, value: 0xfffffffffffffffen },
    note: 'full uint64_t range, no rounding',
  },
  { field: 'objPic', bytes: '00000009 00000004 FFD8FFD9', item: { field: 'objPic', tag: 0x9, value: hex('FFD8FFD9') }, note: 'binary image' },
  {
    field: 'snapshot',
    bytes: '0000000A 00000006 FFD8FFE00000',
    item: { field: 'snapshot', tag: 0xa, value: hex('FFD8FFE00000') },
    note: 'binary image, NULs kept',
  },
  { field: 'objName', bytes: '00000010 00000006 E4BABAE884B8', item: { field: 'objName', tag: 0x10, value: '人脸' }, note: 'UTF-8' },
  { field: 'faceInfo', bytes: '00010001 00000001 01', item: { field: 'faceInfo', tag: 0x10001, value: 1 }, note: 'attributes present' },
  { field: 'faceGender', bytes: '00010002 00000001 02', item: { field: 'faceGender', tag: 0x10002, value: 2 }, note: 'female' },
  { field: 'faceAgeGroup', bytes: '00010003 00000001 03', item: { field: 'faceAgeGroup', tag: 0x10003, value: 3 }, note: 'youth' },
  { field: 'faceMask', bytes: '00010004 00000001 01', item: { field: 'faceMask', tag: 0x10004, value: 1 }, note: 'wearing' },
  { field: 'faceExpression', bytes: '00010005 00000001 05', item: { field: 'faceExpression', tag: 0x10005, value: 5 }, note: 'surprised' },
  { field: 'faceHat', bytes: '00010006 00000001 00', item: { field: 'faceHat', tag: 0x10006, value: 0 }, note: 'no hat' },
  { field: 'faceBeard', bytes: '00010007 00000001 01', item: { field: 'faceBeard', tag: 0x10007, value: 1 }, note: 'beard' },
  { field: 'faceHair', bytes: '00010008 00000001 02', item: { field: 'faceHair', tag: 0x10008, value: 2 }, note: 'short' },
  { field: 'faceGlass', bytes: '00010009 00000001 02', item: { field: 'faceGlass', tag: 0x10009, value: 2 }, note: 'sunglasses' },
  {
    field: 'faceFeature',
    bytes: '0001000A 00000008 3F800000BF800000',
    item: { field: 'faceFeature', tag: 0x1000a, value: hex('3F800000BF800000') },
    note: 'feature vector',
  },
  { field: 'faceSimilarity', bytes: '0001000B 00000002 2328', item: { field: 'faceSimilarity', tag: 0x1000b, value: 9000 }, note: '90.00 %' },
  { field: 'faceLiveness', bytes: '0001000C 00000001 01', item: { field: 'faceLiveness', tag: 0x1000c, value: 1 }, note: 'live' },
  { field: 'faceId', bytes: '0001000D 00000003 010203', item: { field: 'faceId', tag: 0x1000d, value: hex('010203') }, note: 'binary ID' },
  {
    field: 'faceTemperature',
    bytes: '0001000F 00000002 0E42',
    item: { field: 'faceTemperature', tag: 0x1000f, value: 3650 },
    note: '36.50 °C (notes §6.6)',
  },
  { field: 'customerCountIn', bytes: '00040001 00000004 0000000C', item: { field: 'customerCountIn', tag: 0x40001, value: 12 }, note: '12 in' },
  { field: 'customerCountOut', bytes: '00040002 00000004 00000007', item: { field: 'customerCountOut', tag: 0x40002, value: 7 }, note: '7 out' },
  { field: 'customerPass', bytes: '00040003 00000004 00000100', item: { field: 'customerPass', tag: 0x40003, value: 256 }, note: '256 passing' },
  {
    field: 'customerCountKeep',
    bytes: '00040004 00000004 FFFFFFFF',
    item: { field: 'customerCountKeep', tag: 0x40004, value: 0xffffffff },
    note: 'u32 max, unsigned',
  },
  { field: 'ocrRegionNum', bytes: '000A0001 00000001 02', item: { field: 'ocrRegionNum', tag: 0xa0001, value: 2 }, note: '2 regions' },
  {
    field: 'ocrRegionPoints',
    bytes: '000A0002 00000010 000A0014 00C80014 00C80050 000A0050',
    item: {
      field: 'ocrRegionPoints',
      tag: 0xa0002,
      value: [
        { x: 10, y: 20 },
        { x: 200, y: 20 },
        { x: 200, y: 80 },
        { x: 10, y: 80 },
      ],
    },
    note: '4 corners',
  },
  { field: 'ocrRegionName', bytes: '000A0003 00000005 706C617465', item: { field: 'ocrRegionName', tag: 0xa0003, value: 'plate' }, note: '"plate"' },
  {
    field: 'ocrText',
    bytes: '000A0004 00000009 E4BAAC4A3636363636',
    item: { field: 'ocrText', tag: 0xa0004, value: '京J66666' },
    note: 'UTF-8 plate text',
  },
  { field: 'ocrConfidence', bytes: '000A0005 00000002 2710', item: { field: 'ocrConfidence', tag: 0xa0005, value: 10000 }, note: '100 %' },
  {
    field: 'ocrEachConfidence',
    bytes: '000A0006 00000006 2710 1F40 0000',
    item: { field: 'ocrEachConfidence', tag: 0xa0006, value: [10000, 8000, 0] },
    note: '3 characters',
  },
];

describe('TLV tag table', () => {
  it('has the 35 layer-2 tags of the spec with their numbers', () => {
    expect(TLV_FIELD_NAMES).toHaveLength(35);
    const tags = TLV_FIELD_NAMES.map((f) => TLV_TAGS[f].tag);
    expect(new Set(tags).size).toBe(35);
    expect(tags).not.toContain(0x1000e);
    expect(TLV_TAGS.objName.tag).toBe(0x10);
  });

  it('has a hand-built case for every tag', () => {
    expect(perTag.map((c) => c.field).sort()).toEqual([...TLV_FIELD_NAMES].sort());
  });

  it('spells the layer-1 heads as ASCII in reading order', () => {
    expect(TLV_HEAD_TAG).toEqual({ META: 0x4d455441, ALAM: 0x414c414d, AREA: 0x41524541 });
    expect(TLV_HEAD_TAG_REVERSED.META).toBe(0x4154454d);
  });
});

describe('layer-2 tags, hand-built bytes', () => {
  for (const c of perTag) {
    it(`${TLV_TAGS[c.field].specName} (0x${TLV_TAGS[c.field].tag.toString(16)}): ${c.note}`, () => {
      const itemBytes = hex(c.bytes);
      const body = rawRecord(META, itemBytes);
      const decoded = decodeTlvReport(body);
      expect(decoded).toStrictEqual([{ head: 'META', tag: 0x4d455441, items: [c.item] }]);
      // and back, byte for byte
      expect(toHex(encodeTlvReport(decoded))).toBe(toHex(body));
      expect(toHex(encodeTlvItem(c.item))).toBe(toHex(itemBytes));
      expect(decodeTlvItems(itemBytes)).toStrictEqual([c.item]);
      // the view names it by its field (OCR region tags are grouped into regions)
      const view = describeTlvRecord(tlvRecord('META', [c.item]));
      const value = (c.item as { value: unknown }).value;
      const regionFields: TlvFieldName[] = ['ocrRegionPoints', 'ocrRegionName', 'ocrText', 'ocrConfidence', 'ocrEachConfidence'];
      if (regionFields.includes(c.field)) expect(Object.values(view.ocrRegions[0]!)).toStrictEqual([value]);
      else expect(view[c.field]).toStrictEqual(value);
    });
  }
});

describe('layer-1 records', () => {
  const target1 = hex('00000001 00000004 00000001');

  it('decodes META, ALAM and AREA heads, each holding layer-2 items', () => {
    const body = cat(rawRecord('4D455441', target1), rawRecord('414C414D', target1), rawRecord('41524541', target1));
    const records = decodeTlvReport(body);
    expect(records.map((r) => r.head)).toEqual(['META', 'ALAM', 'AREA']);
    for (const r of records) {
      expect(r.head === 'unknown' ? [] : r.items).toStrictEqual([{ field: 'target', tag: 1, value: 1 }]);
    }
    expect(toHex(encodeTlvReport(records))).toBe(toHex(body));
  });

  it('reproduces the worked bytes of the notes (§6.6)', () => {
    expect(toHex(encodeTlvItem(tlvItem('target', 1)))).toBe('000000010000000400000001');
    expect(toHex(encodeTlvItem(tlvItem('picSize', { width: 1920, height: 1080 })))).toBe('000000060000000407800438');
    expect(toHex(encodeTlvItem(tlvItem('faceTemperature', 3650)))).toBe('0001000F000000020E42');
    expect(toHex(encodeTlvItem(tlvItem('ocrRegionNum', 2)))).toBe('000A00010000000102');
    const meta = hex('4D455441 0000000C 00000001 00000004 00000005');
    expect(decodeTlvReport(meta)).toStrictEqual([{ head: 'META', tag: 0x4d455441, items: [{ field: 'target', tag: 1, value: 5 }] }]);
    expect(toHex(encodeTlvRecord(tlvRecord('META', [tlvItem('target', 5)])))).toBe(toHex(meta));
  });

  it('accepts an empty body and an empty record', () => {
    expect(decodeTlvReport(new Uint8Array(0))).toEqual([]);
    expect(decodeTlvReport(hex('4D455441 00000000'))).toStrictEqual([{ head: 'META', tag: 0x4d455441, items: [] }]);
  });

  it('keeps a record with an unknown head raw and re-encodes it unchanged', () => {
    const body = cat(rawRecord('58595A57', hex('DEADBEEF01')), rawRecord(META, target1));
    const records = decodeTlvReport(body);
    expect(records[0]).toStrictEqual({ head: 'unknown', tag: 0x58595a57, bytes: hex('DEADBEEF01') });
    expect(records[1]?.head).toBe('META');
    expect(toHex(encodeTlvReport(records))).toBe(toHex(body));
  });

  it('keeps unknown layer-2 tags raw, in place: 0x1000E (not defined), 0x10000, vendor 0xB', () => {
    const body = rawRecord(
      META,
      cat(
        hex('00000001 00000004 00000001'),
        hex('0001000E 00000002 ABCD'),
        hex('00010000 00000003 616263'),
        hex('0000000B 00000000'),
        hex('00010002 00000001 01'),
      ),
    );
    const [rec] = decodeTlvReport(body);
    expect(rec).toStrictEqual({
      head: 'META',
      tag: 0x4d455441,
      items: [
        { field: 'target', tag: 1, value: 1 },
        { field: 'unknown', tag: 0x1000e, bytes: hex('ABCD') },
        { field: 'unknown', tag: 0x10000, bytes: hex('616263') },
        { field: 'unknown', tag: 0xb, bytes: new Uint8Array(0) },
        { field: 'faceGender', tag: 0x10002, value: 1 },
      ],
    });
    expect(toHex(encodeTlvReport([rec!]))).toBe(toHex(body));
  });

  it('keeps repeated tags and their order', () => {
    const body = rawRecord(META, cat(hex('00010002 00000001 02'), hex('00000001 00000004 00000001'), hex('00010002 00000001 01')));
    const [rec] = decodeTlvReport(body);
    expect(rec?.head === 'META' && rec.items.map((i) => (i.field === 'faceGender' ? i.value : i.field))).toEqual([2, 'target', 1]);
    expect(toHex(encodeTlvReport(decodeTlvReport(body)))).toBe(toHex(body));
  });

  it('accepts a Buffer, including one that is a view into a larger allocation', () => {
    const inner = rawRecord(META, target1);
    const big = Buffer.alloc(inner.length + 20, 0xee);
    big.set(inner, 7);
    const view = big.subarray(7, 7 + inner.length);
    const records = decodeTlvReport(view);
    expect(records).toStrictEqual(decodeTlvReport(inner));
  });

  it('returns copies, not views of the input', () => {
    const body = rawRecord(META, hex('00000009 00000002 AABB'));
    const [rec] = decodeTlvReport(body);
    body[body.length - 1] = 0;
    expect(rec?.head === 'META' && rec.items[0]?.field === 'objPic' && [...rec.items[0].value]).toEqual([0xaa, 0xbb]);
  });
});

// ---------------------------------------------------------------------------------------------
// The spec's three use cases, as a camera would send them.

describe('use cases', () => {
  it('face attributes (§4.4.2): base tags, OBJ_NAME, every face attribute', () => {
    const v = cat(
      hex('00000001 00000004 00000001'), // TARGET face
      hex('00000002 00000005 6A762D6169'), // AI_NAME "jv-ai"
      hex('00000003 0000000A 31323432314848544353'), // DEVICEID
      hex('00000004 00000004 00000000'), // CHANNELID 0
      hex('00000005 00000008 0000017AAC9CE000'), // PTS
      hex('00000006 00000004 0780 0438'), // PIC_SIZE
      hex('00000007 00000008 0064 00C8 0050 0060'), // OBJ_RECT
      hex('00000008 00000008 0000000000000042'), // OBJ_ID 66
      hex('00000009 00000002 FFD8'), // OBJ_PIC
      hex('0000000A 00000002 FFD9'), // SNAPSHOT
      hex('00000010 00000006 E4BABAE884B8'), // OBJ_NAME
      hex('00010001 00000001 01'), // FACE_INFO 1
      hex('00010002 00000001 01'),
      hex('00010003 00000001 04'),
      hex('00010004 00000001 00'),
      hex('00010005 00000001 04'),
      hex('00010006 00000001 00'),
      hex('00010007 00000001 00'),
      hex('00010008 00000001 01'),
      hex('00010009 00000001 01'),
      hex('0001000A 00000004 01020304'),
      hex('0001000B 00000002 1F40'),
      hex('0001000C 00000001 01'),
      hex('0001000D 00000002 0A0B'),
      hex('0001000F 00000002 0E42'),
    );
    const body = rawRecord(META, v);
    const [rec] = decodeTlvReport(body);
    if (rec?.head !== 'META') throw new Error('expected META');
    expect(rec.items).toHaveLength(25);
    const view = describeTlvRecord(rec);
    expect(view).toMatchObject({
      head: 'META',
      target: 1,
      targetName: 'META_TARGET_FACE',
      aiName: 'jv-ai',
      deviceId: '12421HHTCS',
      channelId: 0,
      pts: 1626393600000n,
      picSize: { width: 1920, height: 1080 },
      objRect: { x: 100, y: 200, width: 80, height: 96 },
      objId: 66n,
      objName: '人脸',
      faceInfo: 1,
      faceGender: 1,
      faceAgeGroup: 4,
      faceMask: 0,
      faceExpression: 4,
      faceHat: 0,
      faceBeard: 0,
      faceHair: 1,
      faceGlass: 1,
      faceSimilarity: 8000,
      faceLiveness: 1,
      faceTemperature: 3650,
      ocrRegions: [],
      unknown: [],
      malformed: [],
    });
    expect([...view.faceFeature!]).toEqual([1, 2, 3, 4]);
    expect([...view.faceId!]).toEqual([10, 11]);
    expect(toHex(encodeTlvReport([rec]))).toBe(toHex(body));
  });

  it('customer flow (§4.4.3): TARGET 5 and the four counts', () => {
    const body = rawRecord(
      META,
      cat(
        hex('00000001 00000004 00000005'),
        hex('00000002 00000002 6366'),
        hex('00000003 00000001 41'),
        hex('00000004 00000004 00000001'),
        hex('00000005 00000008 0000017AAC9CE000'),
        hex('00040001 00000004 00000003'),
        hex('00040002 00000004 00000002'),
        hex('00040003 00000004 0000000A'),
        hex('00040004 00000004 00000001'),
      ),
    );
    const [rec] = decodeTlvReport(body);
    if (rec?.head !== 'META') throw new Error('expected META');
    expect(describeTlvRecord(rec)).toMatchObject({
      targetName: 'META_TARGET_CUSTOMER_COUNTER',
      aiName: 'cf',
      deviceId: 'A',
      channelId: 1,
      customerCountIn: 3,
      customerCountOut: 2,
      customerPass: 10,
      customerCountKeep: 1,
    });
    expect(toHex(encodeTlvReport([rec]))).toBe(toHex(body));
  });

  it('OCR (§4.4.4): REGION_NUM then POINTS, NAME, TEXT, CONFIDENCE, EACH_CONFIDENCE per region', () => {
    const region = (name: string, text: string) =>
      cat(
        hex('000A0002 00000010 0001000200030004000500060007 0008'),
        rawTlv(0xa0003, new TextEncoder().encode(name)),
        rawTlv(0xa0004, new TextEncoder().encode(text)),
        hex('000A0005 00000002 1388'),
        hex('000A0006 00000004 1388 2710'),
      );
    const body = rawRecord(
      META,
      cat(
        hex('00000001 00000004 0000000F'),
        hex('00000002 00000003 6F6372'),
        hex('00000003 00000001 44'),
        hex('00000005 00000008 0000017AAC9CE000'),
        hex('00000006 00000004 0500 02D0'),
        hex('0000000A 00000001 FF'),
        hex('000A0001 00000001 02'),
        region('r1', 'AB'),
        region('r2', '京A'),
      ),
    );
    const [rec] = decodeTlvReport(body);
    if (rec?.head !== 'META') throw new Error('expected META');
    const view = describeTlvRecord(rec);
    expect(view.targetName).toBe('META_TARGET_OCR');
    expect(view.ocrRegionNum).toBe(2);
    expect(view.picSize).toEqual({ width: 1280, height: 720 });
    const points = [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
      { x: 5, y: 6 },
      { x: 7, y: 8 },
    ];
    expect(view.ocrRegions).toEqual([
      { points, name: 'r1', text: 'AB', confidence: 5000, eachConfidence: [5000, 10000] },
      { points, name: 'r2', text: '京A', confidence: 5000, eachConfidence: [5000, 10000] },
    ]);
    expect(toHex(encodeTlvReport([rec]))).toBe(toHex(body));
  });

  it('groups OCR regions that omit some tags', () => {
    const rec = tlvRecord('META', [
      tlvItem('ocrRegionNum', 3),
      tlvItem('ocrText', 'a'),
      tlvItem('ocrText', 'b'),
      tlvItem('ocrConfidence', 1),
      tlvItem('ocrRegionName', 'c'),
    ]);
    expect(describeTlvRecord(rec).ocrRegions).toEqual([{ text: 'a' }, { text: 'b', confidence: 1 }, { name: 'c' }]);
  });

  it('several records in one body (D10)', () => {
    const one = rawRecord(META, hex('00000001 00000004 00000001'));
    const two = rawRecord(META, hex('00000001 00000004 00000005'));
    const records = decodeTlvReport(cat(one, two, one));
    expect(records).toHaveLength(3);
    expect(records.map((r) => (r.head === 'META' ? describeTlvRecord(r).target : undefined))).toEqual([1, 5, 1]);
  });
});

function rawTlv(tag: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, tag);
  dv.setUint32(4, value.length);
  out.set(value, 8);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Where the spec is ambiguous, both forms a camera could send are accepted and kept exactly.

describe('ambiguities: both readings accepted, bytes kept', () => {
  it('D1: layer-1 head with the letters reversed (ATEM) is META, and is re-encoded as sent', () => {
    const body = rawRecord('4154454D', hex('00000001 00000004 00000001'));
    const records = decodeTlvReport(body);
    expect(records).toStrictEqual([{ head: 'META', tag: 0x4154454d, items: [{ field: 'target', tag: 1, value: 1 }] }]);
    expect(toHex(encodeTlvReport(records))).toBe(toHex(body));
    expect(decodeTlvReport(rawRecord('4D414C41', new Uint8Array(0)))[0]?.head).toBe('ALAM');
    expect(decodeTlvReport(rawRecord('41455241', new Uint8Array(0)))[0]?.head).toBe('AREA');
    expect(toHex(encodeTlvRecord(tlvRecord('AREA', [], { reversedHead: true })))).toBe('4145524100000000');
  });

  it('integer fields sent in another width (vendor SDKs write 1-byte fields as 4 bytes)', () => {
    const cases: Array<[string, TlvItem]> = [
      ['00010001 00000004 00000001', { field: 'faceInfo', tag: 0x10001, value: 1, width: 4 }],
      ['00000001 00000001 0F', { field: 'target', tag: 1, value: 15, width: 1 }],
      ['0001000F 00000004 00000E42', { field: 'faceTemperature', tag: 0x1000f, value: 3650, width: 4 }],
      ['00000005 00000004 60F0CB00', { field: 'pts', tag: 5, value: 1626393344n, width: 4 }],
      ['00000004 00000008 0000000000000002', { field: 'channelId', tag: 4, value: 2, width: 8 }],
    ];
    for (const [bytes, item] of cases) {
      expect(decodeTlvItems(hex(bytes))).toStrictEqual([item]);
      expect(toHex(encodeTlvItem(item))).toBe(toHex(hex(bytes)));
    }
  });

  it('D8: strings with NUL terminator(s) decode without them and re-encode with them', () => {
    const one = hex('00000002 00000003 616200');
    expect(decodeTlvItems(one)).toStrictEqual([{ field: 'aiName', tag: 2, value: 'ab', trailingNuls: 1 }]);
    expect(toHex(encodeTlvItems(decodeTlvItems(one)))).toBe(toHex(one));
    const padded = hex('00000003 00000006 410000000000');
    expect(decodeTlvItems(padded)).toStrictEqual([{ field: 'deviceId', tag: 3, value: 'A', trailingNuls: 5 }]);
    expect(toHex(encodeTlvItems(decodeTlvItems(padded)))).toBe(toHex(padded));
    expect(decodeTlvItems(hex('00000002 00000001 00'))).toStrictEqual([{ field: 'aiName', tag: 2, value: '', trailingNuls: 1 }]);
    expect(decodeTlvItems(hex('00000002 00000000'))).toStrictEqual([{ field: 'aiName', tag: 2, value: '' }]);
  });

  it('a UTF-8 byte-order mark is kept as U+FEFF so the bytes survive', () => {
    const b = hex('000A0004 00000004 EFBBBF41');
    expect(decodeTlvItems(b)).toStrictEqual([{ field: 'ocrText', tag: 0xa0004, value: '\uFEFFA' }]);
    expect(toHex(encodeTlvItems(decodeTlvItems(b)))).toBe(toHex(b));
  });

  it('D4: PTS in ms (the spec) or in seconds (the note) is read by magnitude', () => {
    expect(readTlvPts(1626393600000n)).toEqual({ unit: 'ms', wallClockMs: 1626393600000 });
    expect(readTlvPts(1626393600n)).toEqual({ unit: 's', wallClockMs: 1626393600000 });
    expect(readTlvPts(1626393600n, { unit: 'ms' })).toEqual({ unit: 'ms', wallClockMs: 1626393600 });
    // wall clock of a UTC+8 device: the instant is 8 h earlier than the wall clock read as UTC
    expect(readTlvPts(1626393600000n, { utcOffsetMinutes: 480 }).epochMs).toBe(1626393600000 - 8 * 3600_000);
    expect(catchTlv(() => readTlvPts(0xffffffffffffffffn)).code).toBe('TLV_BAD_VALUE');
  });

  it('D5: TARGET values outside MetaTarget_e are kept as numbers, with no name', () => {
    const [rec] = decodeTlvReport(rawRecord(META, hex('00000001 00000004 0000000C')));
    if (rec?.head !== 'META') throw new Error('expected META');
    const view = describeTlvRecord(rec);
    expect(view.target).toBe(12);
    expect(view.targetName).toBeUndefined();
    expect(metaTargetName(15)).toBe('META_TARGET_OCR');
  });
});

// ---------------------------------------------------------------------------------------------
// Errors: precise messages and stable codes.

describe('decode errors', () => {
  it('TLV_TRUNCATED: fewer than 8 header bytes at layer 1', () => {
    const e = catchTlv(() => decodeTlvReport(hex('4D4554410000')));
    expect(e.code).toBe('TLV_TRUNCATED');
    expect(e.name).toBe('TlvError');
    expect(e.offset).toBe(0);
    expect(e.message).toBe('layer-1 record at offset 0: header needs 8 bytes (4 T + 4 L), only 6 remain in the body');
    expect(isTlvError(e)).toBe(true);
  });

  it('TLV_TRUNCATED: a partial item header inside a record', () => {
    const body = rawRecord(META, hex('00000001 00000004 00000001 000100'));
    const e = catchTlv(() => decodeTlvReport(body));
    expect(e.code).toBe('TLV_TRUNCATED');
    expect(e.offset).toBe(20);
    expect(e.message).toBe(
      'layer-2 item at offset 20: header needs 8 bytes (4 T + 4 L), only 3 remain in the META record at offset 0',
    );
  });

  it('TLV_LENGTH_OVERFLOW: a record length past the end of the body', () => {
    const e = catchTlv(() => decodeTlvReport(hex('4D455441 00000010 00000001 00000004')));
    expect(e.code).toBe('TLV_LENGTH_OVERFLOW');
    expect(e.tag).toBe(0x4d455441);
    expect(e.message).toBe(
      'layer-1 record at offset 0 (T 0x4D455441) declares a 16-byte value, but only 8 bytes follow its header in the body',
    );
    expect(catchTlv(() => decodeTlvReport(hex('4D455441 FFFFFFFF'))).code).toBe('TLV_LENGTH_OVERFLOW');
  });

  it('TLV_LENGTH_OVERFLOW: an item may not reach into the next record, even though the bytes exist', () => {
    // META (L=12) holds an item that declares 8 bytes but has only 4 in the record; a second record follows.
    const body = cat(hex('4D455441 0000000C 00000001 00000008 00000001'), rawRecord(META, hex('00000001 00000004 00000005')));
    const e = catchTlv(() => decodeTlvReport(body));
    expect(e.code).toBe('TLV_LENGTH_OVERFLOW');
    expect(e.offset).toBe(8);
    expect(e.tag).toBe(1);
    expect(e.message).toBe(
      'layer-2 item at offset 8 (T 0x00000001) declares a 8-byte value, but only 4 bytes follow its header in the META record at offset 0',
    );
  });

  it('TLV_TOO_LARGE: each configurable limit', () => {
    const item = hex('00000001 00000004 00000001');
    const rec = rawRecord(META, cat(item, item, item));
    const limited = (o: TlvDecodeOptions, b: Uint8Array) => catchTlv(() => decodeTlvReport(b, o));

    let e = limited({ maxBodyBytes: rec.length - 1 }, rec);
    expect(e.code).toBe('TLV_TOO_LARGE');
    expect(e.message).toBe(`TLV body is ${rec.length} bytes, over the limit of ${rec.length - 1} (maxBodyBytes)`);
    expect(decodeTlvReport(rec, { maxBodyBytes: rec.length })).toHaveLength(1);

    e = limited({ maxRecords: 2 }, cat(rec, rec, rec));
    expect(e.code).toBe('TLV_TOO_LARGE');
    expect(e.message).toBe(`layer-1 record at offset ${2 * rec.length}: body holds more than 2 records (maxRecords)`);
    expect(decodeTlvReport(cat(rec, rec), { maxRecords: 2 })).toHaveLength(2);

    e = limited({ maxItemsPerRecord: 2 }, rec);
    expect(e.code).toBe('TLV_TOO_LARGE');
    expect(e.message).toBe('layer-2 item at offset 32: the META record at offset 0 holds more than 2 items (maxItemsPerRecord)');
    expect(decodeTlvReport(rec, { maxItemsPerRecord: 3 })).toHaveLength(1);

    e = limited({ maxValueBytes: 3 }, rec);
    expect(e.code).toBe('TLV_TOO_LARGE');
    expect(e.message).toBe('layer-2 item at offset 8 (T 0x00000001) has a 4-byte value, over the limit of 3 (maxValueBytes)');

    e = limited({ maxValueBytes: 3 }, rawRecord('01020304', hex('00000000')));
    expect(e.code).toBe('TLV_TOO_LARGE');
    expect(e.message).toBe('layer-1 record at offset 0 (T 0x01020304) has a 4-byte value, over the limit of 3 (maxValueBytes)');
  });

  const badValues: Array<[string, string, string]> = [
    ['TARGET in 3 bytes', '00000001 00000003 000001', 'TARGET (0x00000001) must be a 4-byte unsigned integer (u32), got 3 bytes'],
    ['FACE_GENDER in 0 bytes', '00010002 00000000', 'FACE_GENDER (0x00010002) must be a 1-byte unsigned integer (u8), got 0 bytes'],
    ['PIC_SIZE in 3 bytes', '00000006 00000003 078004', 'PIC_SIZE (0x00000006) must be 4 bytes (u16 width, u16 height), got 3 bytes'],
    ['OBJ_RECT in 7 bytes', '00000007 00000007 00000000000000', 'OBJ_RECT (0x00000007) must be 8 bytes (u16 x, y, w, h), got 7 bytes'],
    [
      'OCR_REGION_POINTS in 12 bytes',
      '000A0002 0000000C 000000000000000000000000',
      'META_TYPE_OCR_REGION_POINTS (0x000A0002) must be 16 bytes (4 × u16 x, u16 y), got 12 bytes',
    ],
    [
      'OCR_EACH_CONFIDENCE of odd length',
      '000A0006 00000003 271027',
      'META_TYPE_OCR_EACH_CONFIDENCE (0x000A0006) must be a whole number of u16 (even length), got 3 bytes',
    ],
    ['AI_NAME not UTF-8', '00000002 00000002 C328', 'AI_NAME (0x00000002) string is not valid UTF-8'],
    [
      'DEVICEID with bytes after its NUL',
      '00000003 00000003 410042',
      'DEVICEID (0x00000003) string has a NUL at byte 1 followed by non-NUL byte 0x42 at byte 2',
    ],
    [
      'CHANNELID in 8 bytes beyond 2^53',
      '00000004 00000008 FFFFFFFFFFFFFFFF',
      'CHANNELID (0x00000004) u32 value sent in 8 bytes is 18446744073709551615, beyond the safe integer range',
    ],
  ];

  for (const [title, bytes, reason] of badValues) {
    it(`TLV_BAD_VALUE: ${title}`, () => {
      const body = rawRecord(META, hex(bytes));
      const e = catchTlv(() => decodeTlvReport(body));
      expect(e.code).toBe('TLV_BAD_VALUE');
      expect(e.offset).toBe(8);
      expect(e.message).toBe(`layer-2 item at offset 8 in the META record at offset 0: ${reason}`);
      // with badValue: 'keep', the item is kept raw with the reason, and re-encoded unchanged
      const kept = decodeTlvReport(body, { badValue: 'keep' });
      const it0 = kept[0]?.head === 'META' ? kept[0].items[0] : undefined;
      expect(it0?.field).toBe('malformed');
      expect(it0?.field === 'malformed' && it0.reason).toBe(reason.replace(/^\S+ \(0x[0-9A-F]{8}\) /, ''));
      expect(toHex(encodeTlvReport(kept))).toBe(toHex(body));
      expect(describeTlvRecord(kept[0] as Extract<TlvRecord, { head: 'META' }>).malformed).toHaveLength(1);
    });
  }

  it('rejects input that is not bytes with a TlvError, and bad options with a RangeError', () => {
    expect(catchTlv(() => decodeTlvReport('META' as unknown as Uint8Array)).code).toBe('TLV_BAD_VALUE');
    expect(catchTlv(() => decodeTlvReport(null as unknown as Uint8Array)).code).toBe('TLV_BAD_VALUE');
    expect(() => decodeTlvReport(new Uint8Array(0), { maxRecords: -1 })).toThrow(RangeError);
    expect(() => decodeTlvReport(new Uint8Array(0), { badValue: 'ignore' as 'keep' })).toThrow(RangeError);
    expect(decodeTlvReport(new Uint8Array(0), { maxBodyBytes: Infinity })).toEqual([]);
  });
});

describe('encode errors', () => {
  const rejects = (fn: () => unknown, message: string) => {
    const e = catchTlv(fn);
    expect(e.code).toBe('TLV_BAD_VALUE');
    expect(e.message).toBe(message);
  };

  it('rejects values the field cannot carry', () => {
    rejects(() => encodeTlvItem(tlvItem('faceGender', 256)), 'item (faceGender): value 256 does not fit in 1 byte unsigned');
    rejects(() => encodeTlvItem(tlvItem('target', -1)), 'item (target): value -1 does not fit in 4 bytes unsigned');
    rejects(() => encodeTlvItem(tlvItem('channelId', 1.5)), 'item (channelId): value must be a safe integer (u32), got 1.5');
    rejects(() => encodeTlvItem(tlvItem('pts', 1 as unknown as bigint)), 'item (pts): value must be a bigint (u64), got 1');
    rejects(() => encodeTlvItem(tlvItem('objId', 1n << 64n)), 'item (objId): value 18446744073709551616n does not fit in 8 bytes unsigned');
    rejects(
      () => encodeTlvItem(tlvItem('picSize', { width: 70000, height: 1 })),
      'item (picSize): width must be an integer 0..65535, got 70000',
    );
    rejects(
      () => encodeTlvItem(tlvItem('ocrEachConfidence', [1, -2])),
      'item (ocrEachConfidence): entry 1 must be an integer 0..65535, got -2',
    );
    rejects(
      () => encodeTlvItem(tlvItem('aiName', 'a\0b')),
      'item (aiName): string must not contain U+0000 (use trailingNuls for terminators)',
    );
    rejects(
      () => encodeTlvItem(tlvItem('ocrText', 'x\uD800')),
      'item (ocrText): string contains a lone surrogate and cannot be written as UTF-8',
    );
    rejects(() => encodeTlvItem(tlvItem('faceInfo', 1, { width: 1 })), "item (faceInfo): width 1 is the spec's width for u8; omit it");
    // a non-spec width carries what fits in it
    expect(toHex(encodeTlvItem(tlvItem('faceInfo', 300, { width: 2 })))).toBe('0001000100000002012C');
    rejects(() => encodeTlvItem(tlvItem('faceInfo', 1, { width: 3 as 2 })), 'item (faceInfo): width must be 1, 2, 4 or 8, got 3');
  });

  it('rejects shapes the decoder would read back differently', () => {
    rejects(
      () => encodeTlvItem({ field: 'target', tag: 2, value: 1 } as unknown as TlvItem),
      'item (target): tag must be 0x00000001 (TARGET), got 0x00000002',
    );
    rejects(
      () => encodeTlvItem({ field: 'unknown', tag: 0x10002, bytes: hex('01') }),
      "item: tag 0x00010002 is FACE_GENDER; encode it as field 'faceGender', not 'unknown'",
    );
    rejects(
      () => encodeTlvItem({ field: 'malformed', tag: 0x10002, bytes: hex('01'), reason: '' }),
      "item: bytes are a valid FACE_GENDER; encode it as field 'faceGender', not 'malformed'",
    );
    rejects(
      () => encodeTlvItem({ field: 'gender', tag: 0x10002, value: 1 } as unknown as TlvItem),
      "item: unknown field 'gender'; use field 'unknown' with a numeric tag for tags the spec does not define",
    );
    rejects(
      () => encodeTlvRecord({ head: 'unknown', tag: 0x4d455441, bytes: new Uint8Array(0) }),
      "record: tag 0x4D455441 is the head META; encode it with head 'META' and items",
    );
    rejects(
      () => encodeTlvReport([{ head: 'META', tag: TLV_HEAD_TAG.ALAM, items: [] }]),
      'records[0]: tag of a META record must be 0x4D455441 (or reversed 0x4154454D), got 0x414C414D',
    );
    rejects(
      () => encodeTlvReport([tlvRecord('ALAM', [tlvItem('target', 1), tlvItem('faceHat', 2, { width: 8 }), tlvItem('faceHat', 256)])]),
      'records[0].items[2] (faceHat): value 256 does not fit in 1 byte unsigned',
    );
    rejects(() => encodeTlvReport('x' as unknown as TlvRecord[]), 'records: must be an array');
  });
});
