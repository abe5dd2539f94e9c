/** Errors of the codec helpers. Codes are stable API: add, never rename. */
export const CodecErrorCode = {
  /** The bytes end before the structure does. */
  TRUNCATED: 'CODEC_TRUNCATED',
  /** A field has a value the format does not allow. */
  INVALID: 'CODEC_INVALID',
  /** Valid, but not something these helpers handle (e.g. an unknown configuration version). */
  UNSUPPORTED: 'CODEC_UNSUPPORTED',
} as const;
export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

export class CodecError extends Error {
  constructor(readonly code: CodecErrorCode, message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export function isCodecError(e: unknown): e is CodecError {
  return e instanceof CodecError;
}
