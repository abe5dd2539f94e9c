import type { ServiceRuntime } from '../runtime.js';
import { EntitlementChecker } from './checker.js';
import { HttpEntitlementSource } from './http-source.js';

export * from './types.js';
export * from './decision.js';
export * from './checker.js';
export * from './http-source.js';

const perRuntime = new WeakMap<ServiceRuntime, Promise<EntitlementChecker>>();

/**
 * The process's entitlement checker for a runtime: one cache per process on the embedded default
 * (media, events and the media server share it), kept current through the runtime's bus.
 * Usage: `await (await entitlementsFor(runtime)).require(tenantId, channelId, 'TALK')`.
 */
export function entitlementsFor(runtime: ServiceRuntime): Promise<EntitlementChecker> {
  let checker = perRuntime.get(runtime);
  if (!checker) {
    const log = runtime.logger.child({ component: 'entitlements' });
    const c = new EntitlementChecker(new HttpEntitlementSource(runtime.config.subgraphUrl('billing'), runtime.signer), {
      onSourceError: (err, tenantId) => log.warn({ err, tenantId }, 'billing could not be asked for entitlements'),
    });
    checker = c.watch(runtime.bus).then((subs) => {
      runtime.lifecycle.onStop('entitlements', async () => {
        for (const s of subs) await s.unsubscribe().catch(() => undefined);
      });
      return c;
    });
    perRuntime.set(runtime, checker);
  }
  return checker;
}
