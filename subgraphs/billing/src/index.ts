import 'reflect-metadata';
import { ChannelDirectory, createSubgraphServer, openOrm, type ServiceRuntime } from '@argus/platform';
import { ResourcePackage } from './entities/resource-package.js';
import { ChannelBinding } from './entities/channel-binding.js';
import { billingMigrations } from './migrations/m0001-init.js';
import { BillingService } from './billing-service.js';
import { BatchLoader } from './batch-loader.js';
import { buildBillingSchema } from './schema.js';
import type { Entitlement } from './entitlement.js';
import type { BillingContext } from './context.js';

export { buildBillingSchema } from './schema.js';
export {
  BillingService, BINDINGS_GROUP, BINDING_CREATED_SUBJECT, BINDING_RELEASED_SUBJECT, type BindingEvent,
} from './billing-service.js';
export { ResourcePackage } from './entities/resource-package.js';
export { ChannelBinding } from './entities/channel-binding.js';
export { ResourceType, PackageMode, PackageStatus } from './enums.js';
export * from './rules.js';

export async function startBillingSubgraph(runtime: ServiceRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'billing' });
  const orm = await openOrm(runtime.config, {
    schema: 'billing',
    entities: [ResourcePackage, ChannelBinding],
    migrations: billingMigrations,
    logger,
  });
  runtime.lifecycle.onStop('billing-db', () => orm.close());
  const directory = new ChannelDirectory(runtime.config.subgraphUrl('devices'), runtime.signer);
  await directory.watch(runtime.bus);
  const billing = new BillingService(orm, runtime.bus, directory, logger);
  await billing.start();
  const server = await createSubgraphServer<BillingContext>({
    name: 'billing',
    schema: await buildBillingSchema(),
    logger,
    signer: runtime.signer,
    createContext: (base) => ({
      ...base,
      billing,
      entitlements: new BatchLoader<string, Entitlement[]>((ids) => billing.entitlementsOf(base.caller, ids), () => []),
    }),
  });
  const port = await server.listen(runtime.config.portOf('billing'), runtime.config.ARGUS_HOST);
  runtime.lifecycle.onStop('billing-http', () => server.close());
  logger.info({ port }, 'billing subgraph listening');
  return { port, close: () => server.close() };
}
