import { decodeAmf0All, encodeAmf0, type Amf0Value } from './amf0.js';
import { RtmpError, RtmpErrorCode } from './errors.js';

/** One RTMP message, as the chunk reader returns it and the chunk writer takes it. */
export interface RtmpMessage {
  /** Chunk stream id (2 for protocol control; any 3–65599 otherwise). */
  csid: number;
  typeId: number;
  /** Message stream id (0 = the NetConnection). */
  streamId: number;
  /** Milliseconds, 32 bits, wrapping. */
  timestamp: number;
  payload: Buffer;
}

export const RtmpMessageType = {
  SET_CHUNK_SIZE: 1,
  ABORT: 2,
  ACKNOWLEDGEMENT: 3,
  USER_CONTROL: 4,
  WINDOW_ACK_SIZE: 5,
  SET_PEER_BANDWIDTH: 6,
  AUDIO: 8,
  VIDEO: 9,
  DATA_AMF3: 15,
  COMMAND_AMF3: 17,
  DATA_AMF0: 18,
  COMMAND_AMF0: 20,
  AGGREGATE: 22,
} as const;

export const UserControlEvent = {
  STREAM_BEGIN: 0,
  STREAM_EOF: 1,
  STREAM_DRY: 2,
  SET_BUFFER_LENGTH: 3,
  STREAM_IS_RECORDED: 4,
  PING_REQUEST: 6,
  PING_RESPONSE: 7,
} as const;

/** Chunk stream ids this codebase uses by convention. */
export const RtmpChunkStream = { CONTROL: 2, COMMAND: 3, AUDIO: 4, DATA: 5, VIDEO: 6 } as const;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function control(typeId: number, payload: Buffer): RtmpMessage {
  return { csid: RtmpChunkStream.CONTROL, typeId, streamId: 0, timestamp: 0, payload };
}

export const setChunkSizeMessage = (size: number) => control(RtmpMessageType.SET_CHUNK_SIZE, u32(size & 0x7fffffff));
export const abortMessage = (csid: number) => control(RtmpMessageType.ABORT, u32(csid));
export const acknowledgementMessage = (sequence: number) => control(RtmpMessageType.ACKNOWLEDGEMENT, u32(sequence));
export const windowAckSizeMessage = (size: number) => control(RtmpMessageType.WINDOW_ACK_SIZE, u32(size));
/** limitType: 0 hard, 1 soft, 2 dynamic. */
export const setPeerBandwidthMessage = (size: number, limitType = 2) =>
  control(RtmpMessageType.SET_PEER_BANDWIDTH, Buffer.concat([u32(size), Buffer.from([limitType])]));

export function userControlMessage(event: number, value: number, extra?: number): RtmpMessage {
  const b = Buffer.alloc(extra === undefined ? 6 : 10);
  b.writeUInt16BE(event);
  b.writeUInt32BE(value >>> 0, 2);
  if (extra !== undefined) b.writeUInt32BE(extra >>> 0, 6);
  return control(RtmpMessageType.USER_CONTROL, b);
}

export interface UserControl {
  event: number;
  /** Stream id, or the ping timestamp. */
  value: number;
  /** Buffer length in ms for SET_BUFFER_LENGTH. */
  extra?: number;
}

export function parseUserControl(payload: Buffer): UserControl {
  if (payload.length < 6) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'User Control message shorter than 6 bytes');
  const uc: UserControl = { event: payload.readUInt16BE(0), value: payload.readUInt32BE(2) };
  if (payload.length >= 10) uc.extra = payload.readUInt32BE(6);
  return uc;
}

/** The 4-byte value of Acknowledgement, Window Acknowledgement Size, Set Chunk Size, Abort. */
export function parseControlValue(payload: Buffer): number {
  if (payload.length < 4) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'protocol control message shorter than 4 bytes');
  return payload.readUInt32BE(0);
}

export interface RtmpCommand {
  name: string;
  transactionId: number;
  /** Usually an object (connect) or null. */
  commandObject: Amf0Value;
  args: Amf0Value[];
}

/** A command message (type 20), e.g. commandMessage('_result', 1, props, info). */
export function commandMessage(name: string, transactionId: number, commandObject: Amf0Value, args: Amf0Value[] = [], streamId = 0): RtmpMessage {
  return {
    csid: RtmpChunkStream.COMMAND,
    typeId: RtmpMessageType.COMMAND_AMF0,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(name, transactionId, commandObject, ...args),
  };
}

/** A data message (type 18), e.g. dataMessage(['onMetaData', meta], 1). */
export function dataMessage(values: Amf0Value[], streamId: number, timestamp = 0): RtmpMessage {
  return { csid: RtmpChunkStream.DATA, typeId: RtmpMessageType.DATA_AMF0, streamId, timestamp, payload: encodeAmf0(...values) };
}

/** AMF0 body of a command or data message; AMF3 variants (15, 17) start with one format byte. */
function amfBody(msg: RtmpMessage): Buffer {
  const amf3 = msg.typeId === RtmpMessageType.COMMAND_AMF3 || msg.typeId === RtmpMessageType.DATA_AMF3;
  return amf3 && msg.payload.length > 0 && msg.payload[0] === 0 ? msg.payload.subarray(1) : msg.payload;
}

export function parseCommand(msg: RtmpMessage): RtmpCommand {
  const values = decodeAmf0All(amfBody(msg));
  const [name, transactionId, commandObject, ...args] = values;
  if (typeof name !== 'string') throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'command name is not a string');
  return { name, transactionId: typeof transactionId === 'number' ? transactionId : 0, commandObject: commandObject ?? null, args };
}

/** A data message: its handler name ("onMetaData", "@setDataFrame", …) and values. */
export function parseData(msg: RtmpMessage): { name: string; values: Amf0Value[] } {
  const [name, ...values] = decodeAmf0All(amfBody(msg));
  if (typeof name !== 'string') throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'data message name is not a string');
  return { name, values };
}

/** The messages inside an Aggregate message (type 22), timestamps made absolute. */
export function splitAggregate(msg: RtmpMessage): RtmpMessage[] {
  const p = msg.payload;
  const out: RtmpMessage[] = [];
  let off = 0;
  let first: number | null = null;
  while (off < p.length) {
    if (off + 11 > p.length) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'aggregate sub-message header cut off');
    const typeId = p[off]!;
    const size = p.readUIntBE(off + 1, 3);
    const ts = ((p[off + 7]! << 24) | p.readUIntBE(off + 4, 3)) >>> 0;
    if (off + 11 + size + 4 > p.length) throw new RtmpError(RtmpErrorCode.BAD_MESSAGE, 'aggregate sub-message cut off');
    first ??= ts;
    out.push({
      csid: msg.csid,
      typeId,
      streamId: msg.streamId,
      timestamp: (msg.timestamp + ts - first) >>> 0,
      payload: Buffer.from(p.subarray(off + 11, off + 11 + size)),
    });
    off += 11 + size + 4;
  }
  return out;
}

/** An onStatus command on a message stream, e.g. ('status', 'NetStream.Publish.Start', …). */
export function onStatusMessage(streamId: number, level: 'status' | 'error' | 'warning', code: string, description: string, extra: { [key: string]: Amf0Value } = {}): RtmpMessage {
  return { ...commandMessage('onStatus', 0, null, [{ level, code, description, ...extra }], streamId), csid: RtmpChunkStream.DATA };
}
