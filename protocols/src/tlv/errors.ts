/**
 * Errors of the TLV codec. Codes are stable API: callers switch on them. Add, never rename.
 */
export const TlvErrorCode = {
  /** Fewer than the 8 header bytes (4-byte T + 4-byte L) remain where a TLV must start. */
  TRUNCATED: 'TLV_TRUNCATED',
  /** A declared length L runs past the end of the enclosing buffer (the body, or the layer-1 value). */
  LENGTH_OVERFLOW: 'TLV_LENGTH_OVERFLOW',
  /** A configured limit was exceeded (body size, record count, items per record, value size), or a length does not fit in 32 bits. */
  TOO_LARGE: 'TLV_TOO_LARGE',
  /** A value does not have the format the spec gives its tag, or an encoder input is invalid. */
  BAD_VALUE: 'TLV_BAD_VALUE',
} as const;
export type TlvErrorCode = (typeof TlvErrorCode)[keyof typeof TlvErrorCode];

export interface TlvErrorDetails {
  /** Byte offset (from the start of the decoded buffer) of the TLV the error is about. */
  offset?: number;
  /** The numeric tag (layer-1 T or layer-2 T) the error is about. */
  tag?: number;
}

export class TlvError extends Error {
  readonly code: TlvErrorCode;
  readonly offset?: number;
  readonly tag?: number;

  constructor(code: TlvErrorCode, message: string, details: TlvErrorDetails = {}) {
    super(message);
    this.name = 'TlvError';
    this.code = code;
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.tag !== undefined) this.tag = details.tag;
  }
}

export function isTlvError(e: unknown): e is TlvError {
  return e instanceof TlvError;
}

/** `0x0001000F`: how tags appear in messages. */
export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
