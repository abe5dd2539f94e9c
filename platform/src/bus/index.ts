import type { Logger } from 'pino';
import { InProcessBus } from './in-process-bus.js';
import { NatsJetStreamBus } from './nats-jetstream-bus.js';
import type { Bus } from './types.js';

export * from './types.js';
export { InProcessBus } from './in-process-bus.js';
export { NatsJetStreamBus, groupConsumerName, type NatsJetStreamBusOptions } from './nats-jetstream-bus.js';

/**
 * Opens the bus `url` selects: `memory` → the in-process bus, `nats://host:port[,nats://…]` →
 * NATS JetStream. `options` only matter for NATS (stream name and subject prefix, e.g. from
 * ARGUS_NATS_STREAM / ARGUS_NATS_PREFIX).
 */
export async function createBus(
  url: string,
  logger?: Logger,
  options: { streamName?: string; subjectPrefix?: string } = {},
): Promise<Bus> {
  if (url === 'memory') return new InProcessBus();
  if (url.startsWith('nats://')) return NatsJetStreamBus.connect(url, { ...options, logger });
  throw new Error(`unsupported BUS_URL "${url}" (expected "memory" or "nats://…")`);
}
