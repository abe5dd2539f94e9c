import type { AccountStateName, Coverage, EntitlementRefusal, EntitlementScope, ResourceTypeName } from './types.js';

/**
 * The one rule deciding whether a channel may use a resource type now, shared by billing (which
 * reports it) and every checker (which enforces it):
 *
 * 1. a frozen account (UNAVAILABLE) may use nothing: ACCOUNT_SUSPENDED;
 * 2. nothing covers the channel: ENTITLEMENT_MISSING;
 * 3. the covering resource is frozen, or its term is over: ENTITLEMENT_MISSING;
 * 4. it is ON_DEMAND and the account is in ARREARS: ACCOUNT_IN_ARREARS (prepaid packages keep working);
 * 5. otherwise allowed (null).
 */
export function refusalOf(
  scope: EntitlementScope,
  account: AccountStateName,
  coverage: Coverage | undefined,
  type: ResourceTypeName,
  nowMs: number,
): EntitlementRefusal | null {
  const what = 'channelId' in scope ? `channel ${scope.channelId}` : `device ${scope.deviceId}`;
  if (account === 'UNAVAILABLE') {
    return {
      code: 'ACCOUNT_SUSPENDED', resourceType: type, resourceId: coverage?.resourceId ?? null, state: 'UNAVAILABLE',
      message: `the tenant's account is suspended: ${type} is not available to ${what}`,
    };
  }
  if (!coverage) {
    return {
      code: 'ENTITLEMENT_MISSING', resourceType: type, resourceId: null, state: 'MISSING',
      message: `${what} has no ${type} service: bind it to a ${type} resource (bindChannels)`,
    };
  }
  if (coverage.state === 'UNAVAILABLE') {
    return {
      code: 'ENTITLEMENT_MISSING', resourceType: type, resourceId: coverage.resourceId, state: 'UNAVAILABLE',
      message: `the ${type} resource ${coverage.resourceId} of ${what} is frozen`,
    };
  }
  if (coverage.state === 'EXPIRED' || (coverage.expiresAt !== null && coverage.expiresAt <= nowMs)) {
    const at = coverage.expiresAt !== null ? ` on ${new Date(coverage.expiresAt).toISOString()}` : '';
    return {
      code: 'ENTITLEMENT_MISSING', resourceType: type, resourceId: coverage.resourceId, state: 'EXPIRED',
      message: `the ${type} package ${coverage.resourceId} of ${what} expired${at}: renew it or bind another resource`,
    };
  }
  if (coverage.mode === 'ON_DEMAND' && account === 'ARREARS') {
    return {
      code: 'ACCOUNT_IN_ARREARS', resourceType: type, resourceId: coverage.resourceId, state: 'ARREARS',
      message: `the tenant's credit has run out: on-demand ${type} of ${what} resumes once credit is restored`,
    };
  }
  return null;
}
