/**
 * Incremental parser of one RTSP TCP stream: requests or responses (start line, headers,
 * Content-Length body) interleaved with `$` binary frames (RFC 2326 §10.12). Sizes are bounded;
 * anything malformed throws an RtspError, after which the parser must not be used again.
 */
import { RtspError, RtspErrorCode } from './errors.js';
import type { RtspHeaderList, RtspRequest, RtspResponse } from './message.js';

export interface RtspParserLimits {
  /** Start line plus headers (default 16 KiB). */
  maxHeaderBytes: number;
  /** Header lines per message (default 64). */
  maxHeaders: number;
  /** Content-Length (default 64 KiB). */
  maxBodyBytes: number;
}

export const RTSP_DEFAULT_LIMITS: RtspParserLimits = { maxHeaderBytes: 16 << 10, maxHeaders: 64, maxBodyBytes: 64 << 10 };

export type RtspStreamItem =
  | { type: 'request'; request: RtspRequest }
  | { type: 'response'; response: RtspResponse }
  | { type: 'interleaved'; channel: number; payload: Buffer };

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) ([^\s]{1,4096}) (RTSP\/\d\.\d)$/;
const STATUS_LINE = /^(RTSP\/\d\.\d) (\d{3})(?: ([^\r\n]*))?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EMPTY = Buffer.alloc(0);

export class RtspStreamParser {
  private buf: Buffer = EMPTY;
  private pending: { head: Omit<RtspRequest, 'body'> | Omit<RtspResponse, 'body'>; length: number } | null = null;
  private readonly limits: RtspParserLimits;

  constructor(limits: Partial<RtspParserLimits> = {}) {
    this.limits = { ...RTSP_DEFAULT_LIMITS, ...limits };
  }

  /** Bytes received but not yet returned as items. */
  get buffered(): number {
    return this.buf.length;
  }

  /** Adds bytes from the stream; returns every item now complete, in order. */
  push(chunk: Buffer): RtspStreamItem[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const items: RtspStreamItem[] = [];
    for (;;) {
      const item = this.next();
      if (!item) break;
      items.push(item);
    }
    return items;
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  private next(): RtspStreamItem | null {
    if (this.pending) {
      if (this.buf.length < this.pending.length) return null;
      const body = Buffer.from(this.take(this.pending.length));
      const head = this.pending.head;
      this.pending = null;
      return finish(head, body);
    }
    // blank lines between messages are tolerated
    let skip = 0;
    while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
    if (skip) this.take(skip);
    if (this.buf.length === 0) return null;
    if (this.buf[0] === 0x24) {
      if (this.buf.length < 4) return null;
      const length = this.buf.readUInt16BE(2);
      if (this.buf.length < 4 + length) return null;
      const channel = this.buf[1]!;
      const frame = this.take(4 + length);
      return { type: 'interleaved', channel, payload: Buffer.from(frame.subarray(4)) };
    }
    const first = this.buf[0]!;
    if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) {
      throw new RtspError(RtspErrorCode.BAD_START_LINE, `unexpected byte 0x${first.toString(16)} where an RTSP message starts`);
    }
    const end = headEnd(this.buf, this.limits.maxHeaderBytes);
    if (end < 0) {
      if (this.buf.length > this.limits.maxHeaderBytes) {
        throw new RtspError(RtspErrorCode.TOO_LARGE, `RTSP header is over ${this.limits.maxHeaderBytes} bytes`);
      }
      return null;
    }
    const text = this.take(end).toString('latin1');
    const { head, length } = parseHead(text, this.limits);
    if (length === 0) return finish(head, EMPTY);
    this.pending = { head, length };
    return this.next();
  }
}

/** Index just past the blank line ending the head, or -1. Accepts CRLF and bare LF. */
function headEnd(buf: Buffer, max: number): number {
  const limit = Math.min(buf.length, max + 4);
  for (let i = 0; i < limit; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

function parseHead(text: string, limits: RtspParserLimits) {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const start = lines.shift() ?? '';
  const headers: RtspHeaderList = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = headers[headers.length - 1];
      if (!last) throw new RtspError(RtspErrorCode.BAD_HEADER, 'continuation line before any header');
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) throw new RtspError(RtspErrorCode.BAD_HEADER, `malformed header line ${JSON.stringify(line.slice(0, 60))}`);
    if (headers.length >= limits.maxHeaders) throw new RtspError(RtspErrorCode.TOO_LARGE, `more than ${limits.maxHeaders} headers`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  let length = 0;
  const cl = headers.find(([k]) => k.toLowerCase() === 'content-length');
  if (cl) {
    if (!/^\d{1,10}$/.test(cl[1])) throw new RtspError(RtspErrorCode.BAD_HEADER, `bad Content-Length ${JSON.stringify(cl[1].slice(0, 20))}`);
    length = Number(cl[1]);
    if (length > limits.maxBodyBytes) throw new RtspError(RtspErrorCode.TOO_LARGE, `body of ${length} bytes is over ${limits.maxBodyBytes}`);
  }
  const req = REQUEST_LINE.exec(start);
  if (req) return { head: { method: req[1]!, uri: req[2]!, version: req[3]!, headers }, length };
  const res = STATUS_LINE.exec(start);
  if (res) return { head: { version: res[1]!, status: Number(res[2]), reason: res[3] ?? '', headers }, length };
  throw new RtspError(RtspErrorCode.BAD_START_LINE, `malformed start line ${JSON.stringify(start.slice(0, 80))}`);
}

function finish(head: Omit<RtspRequest, 'body'> | Omit<RtspResponse, 'body'>, body: Buffer): RtspStreamItem {
  if ('method' in head) return { type: 'request', request: { ...head, body } };
  return { type: 'response', response: { ...head, body } };
}
