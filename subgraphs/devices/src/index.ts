import 'reflect-metadata';
import { serveStreamSource } from './stream-source-route.js';
import { createSubgraphServer, openOrm, type BusSubscription, type ServiceRuntime } from '@argus/platform';
import { Device } from './entities/device.js';
import { Channel } from './entities/channel.js';
import { DeviceGroup } from './entities/device-group.js';
import { devicesMigrations } from './migrations/m0001-init.js';
import { DevicesService } from './devices-service.js';
import { buildDevicesSchema } from './schema.js';
import { createLoaders, type DevicesContext } from './context.js';

export { buildDevicesSchema } from './schema.js';
export { DevicesService, canSee } from './devices-service.js';
export { DeviceProtocol, DeviceStatus, ChannelKind, ChannelStatus, DeviceChangeKind, SUBJECTS as DEVICE_SUBJECTS, STATUS_GROUP } from './model.js';

/**
 * Starts the devices subgraph: its database (schema "devices"), the work-queue consumer of
 * device.status reports, and the GraphQL server on DEVICES_PORT.
 */
export async function startDevicesSubgraph(runtime: ServiceRuntime): Promise<{ port: number; close(): Promise<void>; devices: DevicesService }> {
  const logger = runtime.logger.child({ service: 'devices' });
  const orm = await openOrm(runtime.config, { schema: 'devices', entities: [Device, Channel, DeviceGroup], migrations: devicesMigrations, logger });
  const subscriptions: BusSubscription[] = [];
  let server: Awaited<ReturnType<typeof createSubgraphServer>> | null = null;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await server?.close();
      for (const s of subscriptions) await s.unsubscribe().catch(() => undefined);
      await orm.close();
    })());
  runtime.lifecycle.onStop('devices', close);
  try {
    const devices = new DevicesService(orm, runtime, logger);
    subscriptions.push(...(await devices.start()));
    server = await createSubgraphServer<DevicesContext>({
      name: 'devices',
      schema: await buildDevicesSchema(),
      logger,
      signer: runtime.signer,
      ready: () => orm.isConnected(),
      internalRoutes: async (req, res, url) => (await serveStreamSource(devices, req, res, url)) || (await import('./device-lookup-route.js')).serveDeviceLookup(devices, req, res, url),
      createContext: (base) => ({ ...base, devices, bus: runtime.bus, loaders: createLoaders(devices) }),
    });
    const port = await server.listen(runtime.config.portOf('devices'), runtime.config.ARGUS_HOST);
    logger.info({ port }, 'devices subgraph listening');
    return { port, close, devices };
  } catch (err) {
    await close();
    throw err;
  }
}
