/**
 * What a channel may do, as billing decides it and every enforcing service reads it.
 * Billing owns the data (resources, bindings, accounts); media, events, the media server and
 * recording only ask "may channel C of tenant T use resource R now?" through EntitlementChecker.
 */

/** Billable capabilities; a channel holds at most one resource of each type. */
export const RESOURCE_TYPES = ['MANAGE', 'RECORD', 'MOTION', 'DATAFLOW', 'TALK'] as const;
export type ResourceTypeName = (typeof RESOURCE_TYPES)[number];

/** NORMAL; ARREARS: credit ran out (on-demand resources stop); UNAVAILABLE: frozen by the operator. */
export const ACCOUNT_STATES = ['NORMAL', 'ARREARS', 'UNAVAILABLE'] as const;
export type AccountStateName = (typeof ACCOUNT_STATES)[number];

export type ResourceModeName = 'PACKAGE' | 'ON_DEMAND';

/** How a channel is covered for one resource type. */
export interface Coverage {
  resourceId: string;
  mode: ResourceModeName;
  /** BINDING: the channel is bound to the resource; DEFAULT: the tenant opens this type for every channel (on demand). */
  source: 'BINDING' | 'DEFAULT';
  /** Stored state of the resource: NORMAL, EXPIRED (term over) or UNAVAILABLE (frozen). ARREARS comes from the account. */
  state: 'NORMAL' | 'EXPIRED' | 'UNAVAILABLE';
  /** End of a PACKAGE's term, epoch milliseconds; null for ON_DEMAND. */
  expiresAt: number | null;
  storageDays: number | null;
}

/** Everything a checker needs to answer for one channel (or, for alarms of a device itself, one device). */
export interface EntitlementSnapshot {
  tenantId: string;
  account: { state: AccountStateName };
  coverage: Partial<Record<ResourceTypeName, Coverage>>;
}

/** What a check is about: a channel, or a device for what has no channel (device-level alarms). */
export type EntitlementScope = { channelId: string } | { deviceId: string };

/** Bus subject: bindings, resources or defaults of a tenant changed. No ids = the whole tenant. */
export const ENTITLEMENT_CHANGED_SUBJECT = 'billing.entitlement.changed';
/** Bus subject: a tenant's account state changed (credit ran out or was restored, frozen, unfrozen). */
export const ACCOUNT_STATE_SUBJECT = 'billing.account.state';

export interface EntitlementChangedEvent {
  tenantId: string;
  /** Channels whose coverage changed; absent or null: every channel of the tenant. */
  channelIds?: string[] | null;
  reason: string;
}

export interface AccountStateEvent {
  tenantId: string;
  state: AccountStateName;
  /** Credit after the change, as a decimal string. */
  credit: string;
  reason: string;
}

/** Refusal codes (also in the platform error catalog). */
export type EntitlementRefusalCode = 'ENTITLEMENT_MISSING' | 'ACCOUNT_IN_ARREARS' | 'ACCOUNT_SUSPENDED';

export interface EntitlementRefusal {
  code: EntitlementRefusalCode;
  message: string;
  resourceType: ResourceTypeName;
  /** The resource that would have covered the channel, when there is one. */
  resourceId: string | null;
  /** NORMAL, EXPIRED, UNAVAILABLE, ARREARS, or MISSING when nothing covers the channel. */
  state: string;
}
