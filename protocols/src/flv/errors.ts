/** Errors of the FLV codecs. Codes are stable API: add, never rename. */
export const FlvErrorCode = {
  /** Not an FLV stream (signature), or a header field out of range. */
  BAD_HEADER: 'FLV_BAD_HEADER',
  /** A tag or tag body ends before its fields do. */
  TRUNCATED: 'FLV_TRUNCATED',
  /** A tag larger than the configured bound. */
  TOO_LARGE: 'FLV_TOO_LARGE',
  /** A tag body that does not have the layout its type requires (incl. a bad decoder configuration). */
  BAD_BODY: 'FLV_BAD_BODY',
} as const;
export type FlvErrorCode = (typeof FlvErrorCode)[keyof typeof FlvErrorCode];

export class FlvError extends Error {
  constructor(readonly code: FlvErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FlvError';
  }
}

export function isFlvError(e: unknown): e is FlvError {
  return e instanceof FlvError;
}
