import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '@argus/platform';

/**
 * Money is kept as whole micro-units (10^-6 of the currency unit) in 64-bit integers, so
 * charges of a fraction of a cent add up exactly. It crosses the API as a decimal string
 * ("12.5", "-0.000125"); inputs may be strings or numbers with at most 6 decimals.
 */
export const MICROS = 1_000_000;
/** Largest amount accepted in one input: 10^9 currency units. */
export const MONEY_INPUT_MAX_MICROS = 1_000_000_000 * MICROS;

const DECIMAL = /^(-?)(\d{1,10})(?:\.(\d{1,6}))?$/;

/** Parses a decimal amount into micros; null when it is not one. */
export function parseMoney(value: unknown): number | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(6) : '') : typeof value === 'string' ? value.trim() : '';
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const micros = Number(m[2]) * MICROS + Number((m[3] ?? '').padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) return null;
  return m[1] ? -micros : micros;
}

/** Micros as a decimal string without trailing zeros: 12500000 → "12.5". */
export function formatMoney(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(Math.round(micros));
  const whole = Math.floor(abs / MICROS);
  const frac = String(abs % MICROS).padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

/** Validates a money input field: BAD_USER_INPUT naming the field unless it is a decimal within ±10^9. */
export function moneyInput(field: string, value: unknown, opts: { min?: number } = {}): number {
  const micros = parseMoney(value);
  if (micros === null || Math.abs(micros) > MONEY_INPUT_MAX_MICROS) {
    throw badInput(field, 'must be a decimal amount with at most 6 decimals, e.g. "12.50"');
  }
  if (opts.min !== undefined && micros < opts.min) throw badInput(field, `must be at least ${formatMoney(opts.min)}`);
  return micros;
}

/** GraphQL scalar Money: decimal string out; string or number in (checked by the resolver, not here). */
export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description: 'An amount of money as a decimal string with at most 6 decimals ("12.5", "-0.25"). Inputs may also be numbers.',
  serialize: (v) => (typeof v === 'number' ? formatMoney(v) : String(v)),
  parseValue: (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw badInput('amount', 'must be a decimal string or a number');
    return String(v);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
    throw badInput('amount', 'must be a decimal string or a number');
  },
});
