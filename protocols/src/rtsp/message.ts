/** RTSP 1.0 messages (RFC 2326) as values, and their serialization. */

/** Headers in wire order; names keep their case, lookups ignore it. */
export type RtspHeaderList = Array<[name: string, value: string]>;

export interface RtspRequest {
  method: string;
  uri: string;
  /** "RTSP/1.0". */
  version: string;
  headers: RtspHeaderList;
  body: Buffer;
}

export interface RtspResponse {
  version: string;
  status: number;
  reason: string;
  headers: RtspHeaderList;
  body: Buffer;
}

/** First value of header `name` (case-insensitive), or undefined. */
export function rtspHeader(headers: RtspHeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

/** Every value of header `name` (case-insensitive), in order. */
export function rtspHeaderValues(headers: RtspHeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

export const RTSP_STATUS_REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  453: 'Not Enough Bandwidth',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
};

const SAFE_VALUE = /^[^\r\n]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerLines(headers: RtspHeaderList, body: Buffer): string {
  let out = '';
  for (const [k, v] of headers) {
    if (k.toLowerCase() === 'content-length') continue;
    if (!TOKEN.test(k) || !SAFE_VALUE.test(v)) throw new TypeError(`invalid RTSP header ${JSON.stringify(k)}`);
    out += `${k}: ${v}\r\n`;
  }
  if (body.length > 0) out += `Content-Length: ${body.length}\r\n`;
  return out + '\r\n';
}

export function serializeRtspRequest(req: { method: string; uri: string; headers?: RtspHeaderList; body?: Buffer | string }): Buffer {
  if (!TOKEN.test(req.method) || !/^[^\s]+$/.test(req.uri)) throw new TypeError('invalid RTSP request line');
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : (req.body ?? Buffer.alloc(0));
  const head = `${req.method} ${req.uri} RTSP/1.0\r\n` + headerLines(req.headers ?? [], body);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export function serializeRtspResponse(res: { status: number; reason?: string; headers?: RtspHeaderList; body?: Buffer | string }): Buffer {
  const reason = res.reason ?? RTSP_STATUS_REASONS[res.status] ?? 'Unknown';
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 999 || !SAFE_VALUE.test(reason)) {
    throw new TypeError('invalid RTSP status line');
  }
  const body = typeof res.body === 'string' ? Buffer.from(res.body) : (res.body ?? Buffer.alloc(0));
  const head = `RTSP/1.0 ${res.status} ${reason}\r\n` + headerLines(res.headers ?? [], body);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** `$` + channel + 16-bit length + payload: an RTP/RTCP packet interleaved on the RTSP connection. */
export function serializeRtspInterleaved(channel: number, payload: Buffer): Buffer {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255) throw new RangeError('interleaved channel must be 0-255');
  if (payload.length > 0xffff) throw new RangeError('interleaved payload is over 65535 bytes');
  const head = Buffer.allocUnsafe(4);
  head[0] = 0x24;
  head[1] = channel;
  head.writeUInt16BE(payload.length, 2);
  return Buffer.concat([head, payload]);
}
