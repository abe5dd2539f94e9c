/** Errors of the SDP codec. Codes are stable API. */
export const SdpErrorCode = {
  /** Not an SDP description, or a line the description needs is malformed. */
  MALFORMED: 'SDP_MALFORMED',
  /** Over a configured limit (bytes, lines, media sections). */
  TOO_LARGE: 'SDP_TOO_LARGE',
} as const;
export type SdpErrorCode = (typeof SdpErrorCode)[keyof typeof SdpErrorCode];

export class SdpError extends Error {
  constructor(readonly code: SdpErrorCode, message: string) {
    super(message);
    this.name = 'SdpError';
  }
}
