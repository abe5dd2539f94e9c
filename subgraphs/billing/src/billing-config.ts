import { ConfigError, RESOURCE_TYPES, type ResourceTypeName } from '@argus/platform';
import { parseMoney } from './money.js';

export interface BillingConfig {
  /**
   * Resource types every channel of a new tenant may use on demand without a binding
   * (BILLING_DEFAULT_OPEN, comma separated; empty = none). See docs/decisions/0007-billing-defaults-and-entitlement-checks.md.
   */
  defaultOpen: ResourceTypeName[];
  /** Credit of a new tenant, micros (BILLING_STARTING_CREDIT, decimal). */
  startingCreditMicros: number;
  /** How often packages past their end are marked EXPIRED (BILLING_SWEEP_SECONDS). */
  sweepSeconds: number;
}

/** Resource types usable without parameters: what a fresh installation opens for every channel. */
export const DEFAULT_OPEN_TYPES: ResourceTypeName[] = ['MANAGE', 'DATAFLOW', 'TALK'];

export function billingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  const issues: string[] = [];
  const openRaw = env.BILLING_DEFAULT_OPEN;
  let defaultOpen = DEFAULT_OPEN_TYPES;
  if (openRaw !== undefined) {
    const names = openRaw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    const bad = names.filter((n) => !(RESOURCE_TYPES as readonly string[]).includes(n) || n === 'RECORD' || n === 'MOTION');
    if (bad.length) issues.push(`BILLING_DEFAULT_OPEN: ${bad.join(', ')} cannot be opened by default (use MANAGE, DATAFLOW, TALK; RECORD and MOTION need storage days per channel)`);
    defaultOpen = [...new Set(names)] as ResourceTypeName[];
  }
  const creditRaw = (env.BILLING_STARTING_CREDIT ?? '').trim() || '0';
  const startingCreditMicros = parseMoney(creditRaw);
  if (startingCreditMicros === null || startingCreditMicros < 0) issues.push(`BILLING_STARTING_CREDIT: must be a decimal amount ≥ 0, got "${creditRaw}"`);
  const sweepRaw = (env.BILLING_SWEEP_SECONDS ?? '').trim() || '30';
  const sweepSeconds = Number(sweepRaw);
  if (!Number.isInteger(sweepSeconds) || sweepSeconds < 1 || sweepSeconds > 3600) issues.push(`BILLING_SWEEP_SECONDS: must be 1 – 3600, got "${sweepRaw}"`);
  if (issues.length) throw new ConfigError(issues);
  return { defaultOpen, startingCreditMicros: startingCreditMicros!, sweepSeconds };
}
