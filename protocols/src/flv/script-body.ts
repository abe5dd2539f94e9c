import { Amf0EcmaArray, decodeAmf0All, encodeAmf0, type Amf0Value } from '../rtmp/amf0.js';
import { isRtmpError } from '../rtmp/errors.js';
import { FlvError, FlvErrorCode } from './errors.js';

export interface FlvScriptData {
  /** Handler name, e.g. "onMetaData" ("@setDataFrame" wrappers are removed). */
  name: string;
  /** The first value after the name (the metadata object for onMetaData). */
  value: Amf0Value;
}

/** Parses a script data tag body / RTMP data message. */
export function parseScriptBody(body: Buffer): FlvScriptData {
  let values: Amf0Value[];
  try {
    values = decodeAmf0All(body);
  } catch (err) {
    if (isRtmpError(err)) throw new FlvError(FlvErrorCode.BAD_BODY, `script data: ${err.message}`, { cause: err });
    throw err;
  }
  if (values[0] === '@setDataFrame') values = values.slice(1);
  const [name, value] = values;
  if (typeof name !== 'string') throw new FlvError(FlvErrorCode.BAD_BODY, 'script data does not start with a name');
  return { name, value };
}

/** An onMetaData script body (the metadata as an ECMA array, as most muxers write it). */
export function buildScriptBody(name: string, value: { [key: string]: Amf0Value }): Buffer {
  return encodeAmf0(name, new Amf0EcmaArray(value));
}
