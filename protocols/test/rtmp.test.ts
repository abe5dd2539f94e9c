/**
 * RTMP codecs against bytes written out by hand from the RTMP spec (handshake §5.2, chunking
 * §5.3, protocol control §5.4, AMF0 spec §2).
 */
import { describe, it, expect } from 'vitest';
import {
  Amf0EcmaArray, decodeAmf0, decodeAmf0All, encodeAmf0, RtmpError,
  RtmpServerHandshake, RtmpClientHandshake, RTMP_HANDSHAKE_SIZE,
  RtmpChunkReader, RtmpChunkWriter, RtmpMessageType, encodeRtmpChunks, UserControlEvent,
  abortMessage, commandMessage, onStatusMessage, parseCommand, parseData, parseUserControl, setChunkSizeMessage,
  splitAggregate, userControlMessage, windowAckSizeMessage, dataMessage,
  type RtmpMessage,
} from '../src/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rtmpError(fn: () => unknown): RtmpError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RtmpError);
    return e as RtmpError;
  }
  throw new Error('expected an RtmpError');
}

describe('AMF0', () => {
  it('encodes each type as the spec lays it out', () => {
    expect(encodeAmf0(1)).toEqual(hex('00 3ff0000000000000'));
    expect(encodeAmf0(true, false)).toEqual(hex('0101 0100'));
    expect(encodeAmf0('ab')).toEqual(hex('02 0002 6162'));
    expect(encodeAmf0(null, undefined)).toEqual(hex('05 06'));
    expect(encodeAmf0({ a: 1 })).toEqual(hex('03 0001 61 00 3ff0000000000000 000009'));
    expect(encodeAmf0(new Amf0EcmaArray({ a: 'b' }))).toEqual(hex('08 00000001 0001 61 02 0001 62 000009'));
    expect(encodeAmf0([1, null])).toEqual(hex('0a 00000002 00 3ff0000000000000 05'));
    expect(encodeAmf0(new Date(0))).toEqual(hex('0b 0000000000000000 0000'));
    const long = 'x'.repeat(70000);
    expect(encodeAmf0(long).subarray(0, 5)).toEqual(hex('0c 00011170'));
    expect(decodeAmf0All(encodeAmf0(long))).toEqual([long]);
  });

  it('decodes commands, ECMA arrays and typed objects as plain values', () => {
    const connect = encodeAmf0('connect', 1, { app: 'live/cam1', tcUrl: 'rtmp://h/live/cam1', fpad: false, audioCodecs: 3575 });
    expect(decodeAmf0All(connect)).toEqual(['connect', 1, { app: 'live/cam1', tcUrl: 'rtmp://h/live/cam1', fpad: false, audioCodecs: 3575 }]);
    expect(decodeAmf0All(hex('08 00000000 0001 61 01 01 000009'))).toEqual([{ a: true }]); // a wrong count is fine
    expect(decodeAmf0All(hex('10 0003 466f6f 0001 61 05 000009'))).toEqual([{ a: null }]);
    expect(decodeAmf0All(hex('0c 00000002 6869 0f 00000001 78'))).toEqual(['hi', 'x']);
    expect(decodeAmf0(hex('05 00 3ff0000000000000'), 1)).toEqual({ value: 1, end: 10 });
  });

  it('keeps a "__proto__" key as an ordinary property', () => {
    const [obj] = decodeAmf0All(hex('03 0009 5f5f70726f746f5f5f 01 01 000009')) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['__proto__']);
  });

  it('refuses truncated values, references, AMF3 switches and deep nesting', () => {
    expect(rtmpError(() => decodeAmf0All(hex('00 3ff0'))).code).toBe('RTMP_AMF_TRUNCATED');
    expect(rtmpError(() => decodeAmf0All(hex('02 0005 61'))).code).toBe('RTMP_AMF_TRUNCATED');
    expect(rtmpError(() => decodeAmf0All(hex('03 0001 61 05'))).code).toBe('RTMP_AMF_TRUNCATED');
    expect(rtmpError(() => decodeAmf0All(hex('0a ffffffff 05'))).code).toBe('RTMP_AMF_TRUNCATED');
    expect(rtmpError(() => decodeAmf0All(hex('07 0001'))).code).toBe('RTMP_AMF_INVALID');
    expect(rtmpError(() => decodeAmf0All(hex('11 02'))).code).toBe('RTMP_AMF_INVALID');
    const deep = Buffer.concat([Buffer.alloc(40 * 5), Buffer.from([5])]);
    for (let i = 0; i < 40; i++) deep.set(hex('0a 00000001'), i * 5);
    expect(rtmpError(() => decodeAmf0All(deep)).code).toBe('RTMP_AMF_INVALID');
    expect(decodeAmf0All(deep, { maxDepth: 64 })).toHaveLength(1);
  });
});

describe('handshake', () => {
  it('answers C0+C1 with S0+S1+S2 (S2 echoes C1) and hands over bytes after C2', () => {
    const server = new RtmpServerHandshake(() => 1234);
    const c1 = Buffer.alloc(RTMP_HANDSHAKE_SIZE, 7);
    expect(server.push(Buffer.concat([hex('03'), c1.subarray(0, 100)]))).toEqual({ done: false, rest: Buffer.alloc(0) });
    const step = server.push(c1.subarray(100));
    expect(step.done).toBe(false);
    expect(step.reply).toHaveLength(1 + 2 * RTMP_HANDSHAKE_SIZE);
    expect(step.reply![0]).toBe(3);
    expect(step.reply!.readUInt32BE(1)).toBe(1234); // S1 time
    expect(step.reply!.readUInt32BE(5)).toBe(0); // S1 zero: no digest to verify
    expect(step.reply!.subarray(1 + RTMP_HANDSHAKE_SIZE)).toEqual(c1);
    const done = server.push(Buffer.concat([Buffer.alloc(RTMP_HANDSHAKE_SIZE), hex('0203')]));
    expect(done).toEqual({ reply: undefined, done: true, rest: hex('0203') });
  });

  it('accepts digest-handshake clients (any C1 content) and completes with the client side', () => {
    const client = new RtmpClientHandshake();
    const server = new RtmpServerHandshake();
    const c0c1 = client.start();
    c0c1.writeUInt32BE(0x80000702, 5); // a Flash-style version: the client would use the digest scheme
    const s = server.push(c0c1);
    const c = client.push(s.reply!);
    expect(c.done).toBe(true);
    expect(server.push(c.reply!).done).toBe(true);
  });

  it('refuses other versions at once', () => {
    expect(rtmpError(() => new RtmpServerHandshake().push(hex('16 0301'))).code).toBe('RTMP_HANDSHAKE');
  });
});

/** Chunk header bytes: fmt 0 on csid 3. */
function fmt0(csid: number, ts: number, len: number, type: number, streamId: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = csid;
  b.writeUIntBE(Math.min(ts, 0xffffff), 1, 3);
  b.writeUIntBE(len, 4, 3);
  b[7] = type;
  b.writeUInt32LE(streamId, 8);
  return ts >= 0xffffff ? Buffer.concat([b, Buffer.from([ts >>> 24, (ts >> 16) & 255, (ts >> 8) & 255, ts & 255])]) : b;
}

describe('chunk reader', () => {
  it('reassembles a message split into 128-byte chunks', () => {
    const payload = Buffer.alloc(200, 0xab);
    const bytes = Buffer.concat([fmt0(6, 1000, 200, 9, 1), payload.subarray(0, 128), hex('c6'), payload.subarray(128)]);
    const msgs = new RtmpChunkReader().push(bytes);
    expect(msgs).toEqual([{ csid: 6, typeId: 9, streamId: 1, timestamp: 1000, payload }]);
  });

  it('applies formats 1, 2 and 3 as deltas (a format-3 message repeats the last delta)', () => {
    const r = new RtmpChunkReader();
    const bytes = Buffer.concat([
      fmt0(4, 1000, 2, 8, 1), hex('af01'),
      hex('44 000028 000003 08'), hex('af0102'), // fmt 1: +40, length 3
      hex('84 000021'), hex('af0103'), // fmt 2: +33
      hex('c4'), hex('af0104'), // fmt 3: +33 again
    ]);
    const msgs = r.push(bytes);
    expect(msgs.map((m) => [m.timestamp, m.payload.toString('hex'), m.streamId])).toEqual([
      [1000, 'af01', 1], [1040, 'af0102', 1], [1073, 'af0103', 1], [1106, 'af0104', 1],
    ]);
  });

  it('reads extended timestamps, also on continuation chunks', () => {
    const ts = 0x01020304;
    const payload = Buffer.alloc(130, 1);
    const bytes = Buffer.concat([fmt0(5, ts, 130, 18, 1), payload.subarray(0, 128), hex('c5 01020304'), payload.subarray(128)]);
    expect(new RtmpChunkReader().push(bytes)).toEqual([{ csid: 5, typeId: 18, streamId: 1, timestamp: ts, payload }]);
  });

  it('reads 2- and 3-byte basic headers', () => {
    const two = Buffer.concat([hex('00 06'), fmt0(0, 5, 1, 8, 1).subarray(1), hex('aa')]);
    const three = Buffer.concat([hex('01 0001'), fmt0(0, 6, 1, 8, 1).subarray(1), hex('bb')]);
    expect(new RtmpChunkReader().push(Buffer.concat([two, three])).map((m) => m.csid)).toEqual([70, 64 + 256]);
  });

  it('takes Set Chunk Size up to 65536 and refuses more', () => {
    const r = new RtmpChunkReader();
    const big = Buffer.alloc(70000, 2);
    const msgs = r.push(Buffer.concat([fmt0(2, 0, 4, 1, 0), hex('00010000'), fmt0(6, 0, big.length, 9, 1), big.subarray(0, 65536), hex('c6'), big.subarray(65536)]));
    expect(r.chunkSize).toBe(65536);
    expect(msgs.map((m) => m.typeId)).toEqual([RtmpMessageType.SET_CHUNK_SIZE, RtmpMessageType.VIDEO]);
    expect(msgs[1]!.payload).toEqual(big);
    expect(rtmpError(() => new RtmpChunkReader().push(Buffer.concat([fmt0(2, 0, 4, 1, 0), hex('00010001')]))).code).toBe('RTMP_CHUNK');
    expect(rtmpError(() => new RtmpChunkReader().push(Buffer.concat([fmt0(2, 0, 4, 1, 0), hex('00000000')]))).code).toBe('RTMP_CHUNK');
  });

  it('drops a partial message on Abort', () => {
    const r = new RtmpChunkReader();
    const msgs = r.push(Buffer.concat([
      fmt0(4, 0, 200, 8, 1), Buffer.alloc(128),
      fmt0(2, 0, 4, 2, 0), hex('00000004'),
      fmt0(4, 20, 1, 8, 1), hex('ee'),
    ]));
    expect(msgs.map((m) => [m.typeId, m.payload.toString('hex')])).toEqual([[2, '00000004'], [8, 'ee']]);
  });

  it('asks for an Acknowledgement once a window of bytes came in', () => {
    const r = new RtmpChunkReader();
    r.push(Buffer.concat([fmt0(2, 0, 4, 5, 0), hex('00000064')])); // window 100
    expect(r.ackWindow).toBe(100);
    expect(r.ackDue()).toBe(null);
    r.push(Buffer.concat([fmt0(4, 0, 90, 8, 1), Buffer.alloc(90)]));
    expect(r.ackDue()).toBe(16 + 102);
    expect(r.ackDue()).toBe(null);
  });

  it('gives the same messages however the bytes are split', () => {
    const w = new RtmpChunkWriter();
    const sent: RtmpMessage[] = [
      commandMessage('connect', 1, { app: 'live' }),
      { csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(300, 9) },
      { csid: 6, typeId: 9, streamId: 1, timestamp: 40, payload: Buffer.alloc(300, 8) },
    ];
    const bytes = Buffer.concat(sent.map((m) => w.write(m)));
    const r = new RtmpChunkReader();
    const got: RtmpMessage[] = [];
    for (const b of bytes) got.push(...r.push(Buffer.from([b])));
    expect(got).toEqual(sent);
  });

  it('refuses oversized messages, headers without a start, and too much unfinished data', () => {
    expect(rtmpError(() => new RtmpChunkReader({ maxMessageSize: 1000 }).push(fmt0(3, 0, 1001, 20, 0))).code).toBe('RTMP_TOO_LARGE');
    expect(rtmpError(() => new RtmpChunkReader().push(hex('43 000000 000010 14'))).code).toBe('RTMP_CHUNK');
    expect(rtmpError(() => new RtmpChunkReader().push(hex('c3 00'))).code).toBe('RTMP_CHUNK');
    const r = new RtmpChunkReader({ maxPendingBytes: 300 });
    expect(rtmpError(() => r.push(Buffer.concat([fmt0(4, 0, 500, 8, 1), Buffer.alloc(128), fmt0(5, 0, 500, 8, 1), Buffer.alloc(128), fmt0(7, 0, 500, 8, 1), Buffer.alloc(128)]))).code).toBe('RTMP_TOO_LARGE');
  });
});

describe('chunk writer', () => {
  it('compresses headers: fmt 0, then 1, 2, 3 on one chunk stream', () => {
    const w = new RtmpChunkWriter();
    const m = (ts: number, len: number): RtmpMessage => ({ csid: 4, typeId: 8, streamId: 1, timestamp: ts, payload: Buffer.alloc(len) });
    expect(w.write(m(100, 2))[0]! >> 6).toBe(0);
    expect(w.write(m(120, 3))[0]! >> 6).toBe(1);
    expect(w.write(m(150, 3))[0]! >> 6).toBe(2);
    expect(w.write(m(180, 3))).toEqual(hex('c4 000000'));
    expect(w.write(m(170, 3))[0]! >> 6).toBe(0); // time went back
  });

  it('writes Set Chunk Size and uses the new size after it', () => {
    const w = new RtmpChunkWriter();
    expect(w.setChunkSize(4096)).toEqual(hex('02 000000 000004 01 00000000 00001000'));
    const bytes = w.write({ csid: 6, typeId: 9, streamId: 1, timestamp: 0, payload: Buffer.alloc(5000) });
    expect(bytes.length).toBe(12 + 5000 + 1);
    expect(() => w.setChunkSize(65537)).toThrow(RtmpError);
  });

  it('encodes one message with a format 0 header, whatever came before on its chunk stream', () => {
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const bytes = encodeRtmpChunks({ csid: 6, typeId: 9, streamId: 1, timestamp: 0x123456, payload }, 128);
    expect(bytes.subarray(0, 12)).toEqual(hex('06 123456 00012c 09 01000000'));
    expect(bytes[12 + 128]).toBe(0xc6); // format 3 continuation
    expect(bytes[12 + 128 + 1 + 128]).toBe(0xc6);
    expect(bytes.length).toBe(12 + 300 + 2);
    // the same message twice reads back twice, timestamps absolute both times
    const r = new RtmpChunkReader();
    const msgs = r.push(Buffer.concat([bytes, bytes]));
    expect(msgs.map((m) => [m.timestamp, m.payload.equals(payload)])).toEqual([[0x123456, true], [0x123456, true]]);
  });

  it('carries an extended timestamp in the first chunk and in every continuation', () => {
    const ts = 0x1234_5678;
    const bytes = encodeRtmpChunks({ csid: 4, typeId: 8, streamId: 1, timestamp: ts, payload: Buffer.alloc(200, 7) }, 128);
    expect(bytes.subarray(0, 16)).toEqual(hex('04 ffffff 0000c8 08 01000000 12345678'));
    expect(bytes.subarray(16 + 128, 16 + 128 + 5)).toEqual(hex('c4 12345678'));
    const [msg] = new RtmpChunkReader().push(bytes);
    expect(msg).toMatchObject({ timestamp: ts, typeId: 8, streamId: 1 });
    expect(msg!.payload).toEqual(Buffer.alloc(200, 7));
    expect(() => encodeRtmpChunks({ csid: 4, typeId: 8, streamId: 1, timestamp: 0, payload: Buffer.alloc(1) }, 0)).toThrow(RtmpError);
  });
});

describe('messages', () => {
  it('parses commands and data (also the AMF3 variants)', () => {
    const msg = commandMessage('publish', 5, null, ['primary?key=k', 'live'], 1);
    expect(parseCommand(msg)).toEqual({ name: 'publish', transactionId: 5, commandObject: null, args: ['primary?key=k', 'live'] });
    const amf3: RtmpMessage = { ...msg, typeId: RtmpMessageType.COMMAND_AMF3, payload: Buffer.concat([hex('00'), msg.payload]) };
    expect(parseCommand(amf3).name).toBe('publish');
    const data = dataMessage(['@setDataFrame', 'onMetaData', new Amf0EcmaArray({ width: 640 })], 1);
    expect(parseData(data)).toEqual({ name: '@setDataFrame', values: ['onMetaData', { width: 640 }] });
    expect(rtmpError(() => parseCommand({ ...msg, payload: encodeAmf0(1, 2) })).code).toBe('RTMP_BAD_MESSAGE');
  });

  it('builds and parses control messages', () => {
    expect(userControlMessage(UserControlEvent.STREAM_BEGIN, 1).payload).toEqual(hex('0000 00000001'));
    expect(parseUserControl(hex('0003 00000001 00000bb8'))).toEqual({ event: 3, value: 1, extra: 3000 });
    expect(rtmpError(() => parseUserControl(hex('0006'))).code).toBe('RTMP_BAD_MESSAGE');
    expect(windowAckSizeMessage(5000000)).toMatchObject({ csid: 2, typeId: 5, streamId: 0, payload: hex('004c4b40') });
    expect(abortMessage(4).payload).toEqual(hex('00000004'));
    expect(setChunkSizeMessage(4096).payload).toEqual(hex('00001000'));
    const status = parseCommand(onStatusMessage(1, 'error', 'NetStream.Publish.BadName', 'no'));
    expect(status).toMatchObject({ name: 'onStatus', transactionId: 0, args: [{ level: 'error', code: 'NetStream.Publish.BadName' }] });
  });

  it('splits aggregate messages', () => {
    const sub = (type: number, ts: number, body: Buffer) => {
      const h = Buffer.alloc(11);
      h[0] = type;
      h.writeUIntBE(body.length, 1, 3);
      h.writeUIntBE(ts, 4, 3);
      return Buffer.concat([h, body, Buffer.alloc(4)]);
    };
    const agg: RtmpMessage = { csid: 6, typeId: 22, streamId: 1, timestamp: 500, payload: Buffer.concat([sub(9, 100, hex('17')), sub(8, 120, hex('af'))]) };
    expect(splitAggregate(agg).map((m) => [m.typeId, m.timestamp, m.payload.toString('hex')])).toEqual([[9, 500, '17'], [8, 520, 'af']]);
    expect(rtmpError(() => splitAggregate({ ...agg, payload: agg.payload.subarray(0, 20) })).code).toBe('RTMP_BAD_MESSAGE');
  });
});
