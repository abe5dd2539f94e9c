/** Errors of the Ogg codec. Codes are stable API. */
export const OggErrorCode = {
  /** An input the encoder cannot represent (packets over one page, a bad channel count). */
  BAD_INPUT: 'OGG_BAD_INPUT',
} as const;
export type OggErrorCode = (typeof OggErrorCode)[keyof typeof OggErrorCode];

export class OggError extends Error {
  constructor(readonly code: OggErrorCode, message: string) {
    super(message);
    this.name = 'OggError';
  }
}
