import { ArgusError, ErrorCode, badInput, type CallerContext, type EntitlementRefusalCode } from '@argus/platform';
import { AccountState, PackageMode, ResourceState, ResourceType } from './enums.js';

export const QUOTA_MIN = 1;
export const QUOTA_MAX = 100_000;
export const MONTHS_MIN = 1;
export const MONTHS_MAX = 36;
export const STORAGE_DAYS_MIN = 1;
export const STORAGE_DAYS_MAX = 365;
/** Channels in one bindChannels / unbindChannels call (as the northbound batch APIs). */
export const BATCH_MAX = 100;

/** Types whose resources keep something for a number of days. */
const KEEPS_DAYS: ReadonlySet<ResourceType> = new Set([ResourceType.RECORD, ResourceType.MOTION, ResourceType.DATAFLOW]);
/** Types that cannot be used without a number of days. */
const NEEDS_DAYS: ReadonlySet<ResourceType> = new Set([ResourceType.RECORD, ResourceType.MOTION]);

export interface PurchaseInput {
  resourceType: ResourceType;
  quota: number;
  months: number;
  storageDays?: number | null;
}

/** What a valid purchase turns into. */
export interface PackageTerms {
  resourceType: ResourceType;
  quotaTotal: number;
  months: number;
  storageDays: number | null;
  startsAt: Date;
  expiresAt: Date;
  name: string;
}

function checkResourceType(value: unknown, field = 'resourceType'): ResourceType {
  if (!Object.values(ResourceType).includes(value as ResourceType)) {
    throw badInput(field, `must be one of ${Object.values(ResourceType).join(', ')}`);
  }
  return value as ResourceType;
}

function checkMonths(months: unknown, field = 'months'): number {
  if (!Number.isInteger(months) || (months as number) < MONTHS_MIN || (months as number) > MONTHS_MAX) {
    throw badInput(field, `must be a whole number of months between ${MONTHS_MIN} and ${MONTHS_MAX}`);
  }
  return months as number;
}

function checkStorageDays(days: unknown, field = 'storageDays'): number {
  if (!Number.isInteger(days) || (days as number) < STORAGE_DAYS_MIN || (days as number) > STORAGE_DAYS_MAX) {
    throw badInput(field, `must be a whole number of days between ${STORAGE_DAYS_MIN} and ${STORAGE_DAYS_MAX}`);
  }
  return days as number;
}

/** Validates a package purchase (BAD_USER_INPUT naming the field) and computes its terms. */
export function termsOfPurchase(input: PurchaseInput, now: Date): PackageTerms {
  const resourceType = checkResourceType(input.resourceType);
  if (!Number.isInteger(input.quota) || input.quota < QUOTA_MIN || input.quota > QUOTA_MAX) {
    throw badInput('quota', `must be a whole number of channels between ${QUOTA_MIN} and ${QUOTA_MAX}`);
  }
  const months = checkMonths(input.months);
  const storageDays = input.storageDays ?? null;
  if (NEEDS_DAYS.has(resourceType) && storageDays === null) {
    throw badInput('storageDays', `a ${resourceType} package needs storageDays (${STORAGE_DAYS_MIN} to ${STORAGE_DAYS_MAX})`);
  }
  if (storageDays !== null) {
    if (!KEEPS_DAYS.has(resourceType)) throw badInput('storageDays', `applies to RECORD, MOTION and DATAFLOW packages, not ${resourceType}`);
    checkStorageDays(storageDays);
  }
  const days = storageDays ? `, ${storageDays} days kept` : '';
  return {
    resourceType,
    quotaTotal: input.quota,
    months,
    storageDays,
    startsAt: now,
    expiresAt: addMonths(now, months),
    name: `${resourceType} package, ${input.quota} channel${input.quota === 1 ? '' : 's'}, ${months} month${months === 1 ? '' : 's'}${days}`,
  };
}

export function checkRenewMonths(months: unknown): number {
  return checkMonths(months);
}

/**
 * Storage days a binding keeps: an ON_DEMAND RECORD or MOTION resource needs them per channel,
 * DATAFLOW may have them; a PACKAGE brings its own, so passing them there is refused.
 */
export function bindingStorageDays(resource: { mode: PackageMode; resourceType: ResourceType }, storageDays: number | null | undefined): number | null {
  const days = storageDays ?? null;
  if (resource.mode === PackageMode.PACKAGE) {
    if (days !== null) throw badInput('storageDays', 'a PACKAGE brings its own storage days: leave storageDays out');
    return null;
  }
  if (NEEDS_DAYS.has(resource.resourceType) && days === null) {
    throw badInput('storageDays', `binding to the on-demand ${resource.resourceType} resource needs storageDays (${STORAGE_DAYS_MIN} to ${STORAGE_DAYS_MAX})`);
  }
  if (days === null) return null;
  if (!KEEPS_DAYS.has(resource.resourceType)) throw badInput('storageDays', `applies to RECORD, MOTION and DATAFLOW, not ${resource.resourceType}`);
  return checkStorageDays(days);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** clientRequestId: 1 – 64 of A-Z a-z 0-9 . _ : - (a UUID fits). */
export function checkClientRequestId(id: unknown): string {
  if (typeof id !== 'string' || !REQUEST_ID.test(id)) {
    throw badInput('clientRequestId', 'must be 1 to 64 characters of A-Z a-z 0-9 . _ : - (a UUID will do)');
  }
  return id;
}

/** 1 – BATCH_MAX distinct channel ids. */
export function checkChannelIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > BATCH_MAX) {
    throw badInput('channelIds', `must list 1 to ${BATCH_MAX} channels`);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || id.length < 1 || id.length > 128) throw badInput('channelIds', 'each channel id must be 1 to 128 characters');
  }
  if (new Set(ids).size !== ids.length) throw badInput('channelIds', 'lists a channel twice');
  return ids as string[];
}

/** Who made a change, for order history: the app, else the role. */
export const actorOf = (caller: CallerContext) => (caller.appId ?? caller.role.toLowerCase()).slice(0, 64);

export function checkNote(note: unknown): string | null {
  if (note === null || note === undefined) return null;
  if (typeof note !== 'string' || note.length > 256) throw badInput('note', 'must be at most 256 characters');
  return note.trim() || null;
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

export interface ResourceStateInput {
  mode: PackageMode;
  storedState: string;
  expiresAt: Date | null;
}

/** Effective state: UNAVAILABLE when the account is suspended, EXPIRED past the term, ARREARS for on-demand in arrears. */
export function resourceState(r: ResourceStateInput, account: AccountState, now: Date): ResourceState {
  if (account === AccountState.UNAVAILABLE) return ResourceState.UNAVAILABLE;
  if (r.storedState === ResourceState.EXPIRED || (r.expiresAt && r.expiresAt.getTime() <= now.getTime())) return ResourceState.EXPIRED;
  if (r.mode === PackageMode.ON_DEMAND && account === AccountState.ARREARS) return ResourceState.ARREARS;
  return ResourceState.NORMAL;
}

export interface BindRefusal {
  code: EntitlementRefusalCode | 'QUOTA_EXCEEDED';
  message: string;
}

/** Why a channel cannot be bound to a resource now, or null (the quota itself is taken by a conditional UPDATE). */
export function bindRefusal(
  r: ResourceStateInput & { id: string; quotaTotal: number | null; quotaUsed: number },
  account: AccountState,
  now: Date,
): BindRefusal | null {
  const state = resourceState(r, account, now);
  if (state === ResourceState.UNAVAILABLE) {
    return { code: 'ACCOUNT_SUSPENDED', message: 'the account is suspended: nothing can be bound; contact the operator' };
  }
  if (state === ResourceState.EXPIRED) {
    return {
      code: 'ENTITLEMENT_MISSING',
      message: `package ${r.id} expired${r.expiresAt ? ` on ${r.expiresAt.toISOString()}` : ''}: renew it or purchase a new package`,
    };
  }
  if (state === ResourceState.ARREARS) {
    return { code: 'ACCOUNT_IN_ARREARS', message: 'the credit has run out: on-demand resources cannot be bound until credit is restored' };
  }
  if (r.quotaTotal !== null && r.quotaUsed >= r.quotaTotal) {
    return {
      code: 'QUOTA_EXCEEDED',
      message: `package ${r.id} already covers ${r.quotaUsed} of ${r.quotaTotal} channels: unbind a channel or purchase more quota`,
    };
  }
  return null;
}

export function refusalError(r: BindRefusal, details: Record<string, unknown> = {}): ArgusError {
  return new ArgusError(ErrorCode[r.code], r.message, details);
}
