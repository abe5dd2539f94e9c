import { ENTITLEMENT_CHANGED_SUBJECT, type Bus, type EntitlementChangedEvent, type Logger } from '@argus/platform';

/**
 * Tells every entitlement checker that coverage changed (after the change committed):
 * for `channelIds`, or, when null, for every channel of the tenant.
 */
export async function announceEntitlementChange(bus: Bus, logger: Logger, tenantId: string, reason: string, channelIds: string[] | null = null): Promise<void> {
  if (channelIds && channelIds.length === 0) return;
  await bus
    .publish<EntitlementChangedEvent>(ENTITLEMENT_CHANGED_SUBJECT, { tenantId, channelIds, reason })
    .catch((err) => logger.error({ err, tenantId, reason }, 'could not announce an entitlement change'));
}
