/**
 * The response envelope of the push protocol (spec §4.2.2, §4.3.2):
 *   { "method": "<interface>", ["keepinterval": 60,] "error": { "errorcode": 0, "errormsg": "" } }
 * errorcode 0 is success, < 0 an error. The spec lists no codes and no HTTP statuses for errors
 * (notes §7, D35); Argus answers errors with the HTTP status below and errorcode = −status, so a
 * camera that only reads the body and one that only reads the status both see the failure.
 */
import type { ServerResponse } from 'node:http';

export const PushErrorCode = {
  OK: 0,
  /** Malformed JSON, a field of the wrong type, bad base64, a truncated TLV. */
  BAD_REQUEST: -400,
  /** No or wrong digest credentials, stale nonce, unknown device. */
  UNAUTHORIZED: -401,
  /** No such interface. */
  NOT_FOUND: -404,
  /** The interface exists but not with this HTTP method. */
  METHOD_NOT_ALLOWED: -405,
  /** Body (or a TLV record or value) over the limit. */
  TOO_LARGE: -413,
  /** Argus could not look the device up or store the report; nothing was stored, retry. */
  UNAVAILABLE: -503,
  INTERNAL: -500,
} as const;
export type PushErrorCode = (typeof PushErrorCode)[keyof typeof PushErrorCode];

export interface PushEnvelope {
  method: string;
  keepinterval?: number;
  error: { errorcode: number; errormsg: string };
}

/** A refusal: HTTP status −errorcode, the envelope, and optional extra headers (WWW-Authenticate). */
export class PushError extends Error {
  constructor(
    readonly errorcode: Exclude<PushErrorCode, 0>,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PushError';
  }

  get status(): number {
    return -this.errorcode;
  }
}

export const badRequest = (message: string) => new PushError(PushErrorCode.BAD_REQUEST, message);

export function successEnvelope(method: string, keepinterval?: number): PushEnvelope {
  return keepinterval === undefined
    ? { method, error: { errorcode: 0, errormsg: '' } }
    : { method, keepinterval, error: { errorcode: 0, errormsg: '' } };
}

export function errorEnvelope(method: string, errorcode: number, errormsg: string): PushEnvelope {
  return { method, error: { errorcode, errormsg } };
}

export function sendEnvelope(res: ServerResponse, status: number, body: PushEnvelope, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
