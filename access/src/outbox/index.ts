import { join } from 'node:path';
import type { ServiceRuntime } from '@argus/platform';
import { JetStreamOutbox } from './jetstream-outbox.js';
import { SqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
import type { Outbox } from './types.js';

export type { Outbox, OutboxEvent } from './types.js';
export { SqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js';
export { JetStreamOutbox } from './jetstream-outbox.js';

/** File of the embedded outbox: `<data dir>/access-outbox.sqlite`. */
export function outboxFile(runtime: ServiceRuntime): string {
  return join(runtime.config.dataDir, 'access-outbox.sqlite');
}

/**
 * The outbox for this runtime: JetStream itself when the bus is NATS, else the SQLite file in the
 * data directory with its relay.
 */
export function createOutbox(runtime: ServiceRuntime, options: SqliteOutboxOptions = {}): Outbox {
  if (runtime.bus.kind === 'nats') return new JetStreamOutbox(runtime.bus);
  return new SqliteOutbox(outboxFile(runtime), runtime.bus, runtime.logger.child({ part: 'outbox' }), options);
}
