import { ArgusError, ErrorCode } from '@argus/platform';
import { PackageMode, PackageStatus, ResourceType } from './enums.js';

export const QUOTA_MIN = 1;
export const QUOTA_MAX = 100_000;
export const MONTHS_MIN = 1;
export const MONTHS_MAX = 36;
export const STORAGE_DAYS_MIN = 1;
export const STORAGE_DAYS_MAX = 365;

export interface PurchaseInput {
  resourceType: ResourceType;
  quota: number;
  months?: number | null;
  onDemand?: boolean | null;
  storageDays?: number | null;
}

/** What a valid purchase turns into. */
export interface PackageTerms {
  resourceType: ResourceType;
  mode: PackageMode;
  quotaTotal: number;
  storageDays: number | null;
  startsAt: Date;
  expiresAt: Date | null;
}

const bad = (field: string, message: string) => new ArgusError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

/** Validates a purchase (BAD_USER_INPUT naming the field) and computes the package's terms. */
export function termsOfPurchase(input: PurchaseInput, now = new Date()): PackageTerms {
  if (!Object.values(ResourceType).includes(input.resourceType)) {
    throw bad('resourceType', `must be one of ${Object.values(ResourceType).join(', ')}`);
  }
  if (!Number.isInteger(input.quota) || input.quota < QUOTA_MIN || input.quota > QUOTA_MAX) {
    throw bad('quota', `must be a whole number of channels between ${QUOTA_MIN} and ${QUOTA_MAX}`);
  }
  const onDemand = input.onDemand ?? false;
  const months = input.months ?? null;
  if (onDemand && months !== null) throw bad('months', 'an on-demand package has no term: omit months or set onDemand: false');
  if (!onDemand) {
    if (months === null) throw bad('months', `a package needs a term of ${MONTHS_MIN} to ${MONTHS_MAX} months, or onDemand: true`);
    if (!Number.isInteger(months) || months < MONTHS_MIN || months > MONTHS_MAX) {
      throw bad('months', `must be between ${MONTHS_MIN} and ${MONTHS_MAX}`);
    }
  }
  const storageDays = input.storageDays ?? null;
  if (input.resourceType === ResourceType.RECORD) {
    if (storageDays === null) throw bad('storageDays', `a RECORD package needs storageDays (${STORAGE_DAYS_MIN} to ${STORAGE_DAYS_MAX})`);
    if (!Number.isInteger(storageDays) || storageDays < STORAGE_DAYS_MIN || storageDays > STORAGE_DAYS_MAX) {
      throw bad('storageDays', `must be between ${STORAGE_DAYS_MIN} and ${STORAGE_DAYS_MAX}`);
    }
  } else if (storageDays !== null) {
    throw bad('storageDays', `applies to RECORD packages only, not ${input.resourceType}`);
  }
  return {
    resourceType: input.resourceType,
    mode: onDemand ? PackageMode.ON_DEMAND : PackageMode.PACKAGE,
    quotaTotal: input.quota,
    storageDays,
    startsAt: now,
    expiresAt: onDemand ? null : addMonths(now, months!),
  };
}

/** Calendar months later, in UTC; the day is clamped to the target month's length (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface PackageState {
  status: PackageStatus;
  expiresAt: Date | null;
  quotaUsed: number;
  quotaTotal: number;
}

/** EXPIRED once marked so or once its end has passed. */
export function effectiveStatus(p: Pick<PackageState, 'status' | 'expiresAt'>, now = new Date()): PackageStatus {
  if (p.status !== PackageStatus.NORMAL) return p.status;
  return p.expiresAt && p.expiresAt.getTime() <= now.getTime() ? PackageStatus.EXPIRED : PackageStatus.NORMAL;
}

/** Why a package cannot cover one more channel, or null when it can. */
export function bindRefusal(p: PackageState & { id: string }, now = new Date()): string | null {
  if (effectiveStatus(p, now) !== PackageStatus.NORMAL) {
    return p.expiresAt
      ? `package ${p.id} expired on ${p.expiresAt.toISOString()}: purchase a new package`
      : `package ${p.id} is ${p.status}: purchase a new package`;
  }
  if (p.quotaUsed >= p.quotaTotal) {
    return `package ${p.id} already covers ${p.quotaUsed} of ${p.quotaTotal} channels: unbind a channel or purchase more quota`;
  }
  return null;
}
