/** Errors of the fragmented-MP4 code. Codes are stable API. */
export const Mp4ErrorCode = {
  /** A box header or field runs past the bytes given. */
  TRUNCATED: 'MP4_TRUNCATED',
  /** A box size or field is impossible. */
  INVALID: 'MP4_INVALID',
  /** Writer input that cannot be written. */
  BAD_INPUT: 'MP4_BAD_INPUT',
} as const;
export type Mp4ErrorCode = (typeof Mp4ErrorCode)[keyof typeof Mp4ErrorCode];

export class Mp4Error extends Error {
  constructor(readonly code: Mp4ErrorCode, message: string, readonly offset?: number) {
    super(message);
    this.name = 'Mp4Error';
  }
}
