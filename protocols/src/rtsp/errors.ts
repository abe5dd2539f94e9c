/** Errors of the RTSP codec. Codes are stable API: callers switch on them. Add, never rename. */
export const RtspErrorCode = {
  /** The start line is not an RTSP request or response line. */
  BAD_START_LINE: 'RTSP_BAD_START_LINE',
  /** A header line or a header value (Content-Length, Transport, Session, …) is malformed. */
  BAD_HEADER: 'RTSP_BAD_HEADER',
  /** A configured limit was exceeded (header bytes, header count, body bytes). */
  TOO_LARGE: 'RTSP_TOO_LARGE',
  /** An authentication challenge or credential cannot be used. */
  BAD_AUTH: 'RTSP_BAD_AUTH',
} as const;
export type RtspErrorCode = (typeof RtspErrorCode)[keyof typeof RtspErrorCode];

export class RtspError extends Error {
  constructor(readonly code: RtspErrorCode, message: string) {
    super(message);
    this.name = 'RtspError';
  }
}

export function isRtspError(e: unknown): e is RtspError {
  return e instanceof RtspError;
}
