import 'reflect-metadata';
import { ChannelDirectory, createSubgraphServer, openOrm, type ServiceRuntime } from '@argus/platform';
import { BILLING_ENTITIES } from './entities/all.js';
import { billingMigrations } from './migrations/index.js';
import { Billing } from './billing.js';
import { BatchLoader } from './batch-loader.js';
import { billingConfigFromEnv } from './billing-config.js';
import { serveEntitlements } from './internal-route.js';
import { buildBillingSchema } from './schema.js';
import type { Entitlement } from './entitlement.js';
import type { BillingContext } from './context.js';

export { buildBillingSchema } from './schema.js';
export { Billing, BINDINGS_GROUP, ACCOUNTS_GROUP, type BillingDeps } from './billing.js';
export { billingConfigFromEnv, DEFAULT_OPEN_TYPES, type BillingConfig } from './billing-config.js';
export { METERING_GROUP, METERED_SUBJECTS, usageOf } from './metering.js';
export { billingMigrations } from './migrations/index.js';
export { ResourceType, PackageMode, ResourceState, AccountState, PriceUnit, UsageMetric, OrderKind } from './enums.js';
export { formatMoney, parseMoney } from './money.js';
export * from './rules.js';

export { BILLING_ENTITIES } from './entities/all.js';

export async function startBillingSubgraph(runtime: ServiceRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'billing' });
  const config = billingConfigFromEnv(process.env);
  const orm = await openOrm(runtime.config, { schema: 'billing', entities: BILLING_ENTITIES, migrations: billingMigrations, logger });
  runtime.lifecycle.onStop('billing-db', () => orm.close());
  const directory = new ChannelDirectory(runtime.config.subgraphUrl('devices'), runtime.signer);
  await directory.watch(runtime.bus);
  const billing = new Billing({ orm, bus: runtime.bus, channels: directory, config, logger });
  await billing.start();
  runtime.lifecycle.onStop('billing-consumers', () => billing.stop());
  const server = await createSubgraphServer<BillingContext>({
    name: 'billing',
    schema: await buildBillingSchema(),
    logger,
    signer: runtime.signer,
    ready: () => orm.isConnected(),
    internalRoutes: (req, res, url) => serveEntitlements(billing.entitlements, req, res, url),
    createContext: (base) => {
      const accounts = new Map<string, ReturnType<BillingContext['accountOf']>>();
      return {
        ...base,
        billing,
        entitlementsOf: new BatchLoader<string, Entitlement[]>((ids) => billing.entitlements.entitlementsOf(base.caller, ids), () => []),
        accountOf: (tenantId) => {
          let a = accounts.get(tenantId);
          if (!a) {
            a = billing.accounts.ensure(tenantId).then(() => billing.accounts.get(orm.em.fork() as never, tenantId));
            accounts.set(tenantId, a);
          }
          return a;
        },
      };
    },
  });
  const port = await server.listen(runtime.config.portOf('billing'), runtime.config.ARGUS_HOST);
  runtime.lifecycle.onStop('billing-http', () => server.close());
  logger.info({ port, defaultOpen: config.defaultOpen }, 'billing subgraph listening');
  return { port, close: () => server.close() };
}
