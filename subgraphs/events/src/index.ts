import 'reflect-metadata';
import {
  BlobUrlSigner, ChannelDirectory, createBlobStore, createSubgraphServer, entitlementsFor, openOrm,
  type BusSubscription, type ServiceRuntime,
} from '@argus/platform';
import { GroupDevices } from './group-devices.js';
import { Alarm } from './entities/alarm.js';
import { eventsMigrations } from './migrations/m0001-init.js';
import { AlarmService } from './alarm-service.js';
import { buildEventsSchema } from './schema.js';
import type { EventsContext } from './context.js';

export { buildEventsSchema } from './schema.js';
export { AlarmService, ALARM_STORE_GROUP, DEVICE_CLEANUP_GROUP } from './alarm-service.js';
export {
  ALARM_RAISED_SUBJECT, ALARM_ACKNOWLEDGED_SUBJECT, ALARM_CLEARED_SUBJECT,
  alarmFromEvent, alarmRaisedEventOf, derivedAlarmId, parseAlarmLevel, parseAlarmStatus,
  type AlarmRaisedEvent,
} from './alarm-event.js';
export { AlarmType, AlarmLevel, AlarmStatus, AlarmState, AlarmSource, type AlarmRecord, type StoredPicture } from './alarm-model.js';
export {
  classifyAlarm, lookupCode, parseAlarmSource, TAXONOMY, TYPE_DEFAULT_LEVEL,
  type Classification, type TaxonomyEntry,
} from './taxonomy/index.js';
export { extractPictures, pictureKey } from './pictures.js';
export { faceOf, vehicleOf, personCountOf, temperatureOf, environmentOf } from './attribute-views.js';

/**
 * Starts the events subgraph: its database (schema "events"), the bus consumers that store
 * `alarm.raised` from every publisher, and the GraphQL server on EVENTS_PORT. Alarm pictures go
 * to the blob store (<ARGUS_DATA_DIR>/blobs; in scale mode a directory shared with the gateway,
 * which serves them under signed URLs).
 */
export async function startEventsSubgraph(runtime: ServiceRuntime): Promise<{ port: number; close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'events' });
  const orm = await openOrm(runtime.config, { schema: 'events', entities: [Alarm], migrations: eventsMigrations, logger });
  const subscriptions: BusSubscription[] = [];
  let server: Awaited<ReturnType<typeof createSubgraphServer>> | null = null;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await server?.close();
      for (const s of subscriptions) await s.unsubscribe().catch(() => undefined);
      await orm.close();
    })());
  runtime.lifecycle.onStop('events', close);
  try {
    const channels = new ChannelDirectory(runtime.config.subgraphUrl('devices'), runtime.signer);
    await channels.watch(runtime.bus);
    const groups = new GroupDevices(runtime.config.subgraphUrl('devices'), runtime.signer);
    const alarms = new AlarmService(orm, runtime.bus, channels, logger, createBlobStore(runtime.config), groups);
    const pictureUrls = BlobUrlSigner.fromConfig(runtime.config);
    const entitlements = await entitlementsFor(runtime);
    subscriptions.push(...(await alarms.start()));
    server = await createSubgraphServer<EventsContext>({
      name: 'events',
      schema: await buildEventsSchema(),
      logger,
      signer: runtime.signer,
      ready: () => orm.isConnected(),
      createContext: (base) => ({ ...base, alarms, bus: runtime.bus, channels, pictureUrls, entitlements }),
    });
    const port = await server.listen(runtime.config.portOf('events'), runtime.config.ARGUS_HOST);
    logger.info({ port }, 'events subgraph listening');
    return { port, close };
  } catch (err) {
    await close();
    throw err;
  }
}
