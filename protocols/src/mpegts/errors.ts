/** Errors of the MPEG-TS code. Codes are stable API. */
export const TsErrorCode = {
  /** Input is not whole 188-byte packets, or a packet does not start with 0x47. */
  BAD_PACKET: 'TS_BAD_PACKET',
  /** A PSI section or PES header is inconsistent (lengths, CRC, start code). */
  BAD_SECTION: 'TS_BAD_SECTION',
  /** ADTS or AudioSpecificConfig that cannot be read. */
  BAD_AUDIO: 'TS_BAD_AUDIO',
  /** Muxer input that cannot be written (unknown codec, missing track). */
  BAD_INPUT: 'TS_BAD_INPUT',
} as const;
export type TsErrorCode = (typeof TsErrorCode)[keyof typeof TsErrorCode];

export class TsError extends Error {
  constructor(readonly code: TsErrorCode, message: string, readonly offset?: number) {
    super(message);
    this.name = 'TsError';
  }
}
