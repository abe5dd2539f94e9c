/** Errors of the RTP / RTCP codecs. Codes are stable API. */
export const RtpErrorCode = {
  /** Shorter than its headers say, wrong version, or a bad length field. */
  MALFORMED: 'RTP_MALFORMED',
  /** An input the encoder cannot represent (an AAC frame over 8191 bytes, an MTU too small). */
  BAD_INPUT: 'RTP_BAD_INPUT',
} as const;
export type RtpErrorCode = (typeof RtpErrorCode)[keyof typeof RtpErrorCode];

export class RtpError extends Error {
  constructor(readonly code: RtpErrorCode, message: string) {
    super(message);
    this.name = 'RtpError';
  }
}
