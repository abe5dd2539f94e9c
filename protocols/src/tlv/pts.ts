/**
 * Reading PTS (tag 0x5). The spec says "milliseconds since 1970 (note: not standard mktime seconds,
 * but the seconds of the wall-clock time ignoring the time zone)" (notes §8 D4): the unit is stated
 * both ways, and the value is the device's local calendar time counted as if it were UTC.
 */
import { TlvError, TlvErrorCode } from './errors.js';

/**
 * With `unit: 'auto'`, values below this are seconds: 1e11 ms is March 1973, 1e11 s is the year
 * 5138, so a camera clock in either unit falls clearly on one side.
 */
export const PTS_SECONDS_BELOW = 100_000_000_000n;

export interface TlvPtsOptions {
  /** `'ms'` (the spec's reading), `'s'`, or `'auto'` (default): decide by magnitude. */
  unit?: 'ms' | 's' | 'auto';
  /** The device's UTC offset in minutes (+480 for UTC+8). Given it, `epochMs` is the real instant. */
  utcOffsetMinutes?: number;
}

export interface TlvPtsReading {
  unit: 'ms' | 's';
  /** The device's wall-clock time in ms, counted as if it were UTC. */
  wallClockMs: number;
  /** The real instant (ms since the Unix epoch), when `utcOffsetMinutes` was given. */
  epochMs?: number;
}

export function readTlvPts(pts: bigint, options: TlvPtsOptions = {}): TlvPtsReading {
  const unitOpt = options.unit ?? 'auto';
  const unit = unitOpt === 'auto' ? (pts < PTS_SECONDS_BELOW ? 's' : 'ms') : unitOpt;
  const ms = unit === 's' ? pts * 1000n : pts;
  if (ms < 0n || ms > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TlvError(TlvErrorCode.BAD_VALUE, `PTS ${pts} (${unit}) is out of the representable time range`, { tag: 0x5 });
  }
  const reading: TlvPtsReading = { unit, wallClockMs: Number(ms) };
  if (options.utcOffsetMinutes !== undefined) reading.epochMs = reading.wallClockMs - options.utcOffsetMinutes * 60_000;
  return reading;
}
