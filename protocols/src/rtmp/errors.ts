/** Errors of the RTMP codecs. Codes are stable API: add, never rename. */
export const RtmpErrorCode = {
  /** AMF0 bytes end inside a value. */
  AMF_TRUNCATED: 'RTMP_AMF_TRUNCATED',
  /** An AMF0 marker or value that is not allowed (references, AMF3 switch, nesting too deep). */
  AMF_INVALID: 'RTMP_AMF_INVALID',
  /** The handshake is not RTMP (wrong version byte). */
  HANDSHAKE: 'RTMP_HANDSHAKE',
  /** A chunk or message breaks the framing rules (unknown chunk stream, bad chunk size, fmt 3 with no prior header). */
  CHUNK: 'RTMP_CHUNK',
  /** A configured bound was exceeded (message length, buffered bytes). */
  TOO_LARGE: 'RTMP_TOO_LARGE',
  /** A message body does not have the layout its type requires. */
  BAD_MESSAGE: 'RTMP_BAD_MESSAGE',
} as const;
export type RtmpErrorCode = (typeof RtmpErrorCode)[keyof typeof RtmpErrorCode];

export class RtmpError extends Error {
  constructor(readonly code: RtmpErrorCode, message: string) {
    super(message);
    this.name = 'RtmpError';
  }
}

export function isRtmpError(e: unknown): e is RtmpError {
  return e instanceof RtmpError;
}
