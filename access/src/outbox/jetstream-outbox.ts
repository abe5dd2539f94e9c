/**
 * Scale mode: JetStream is the outbox. `append` publishes and resolves on the stream's
 * acknowledgement (the event is then stored, file-backed and replicated as the stream is
 * configured); a failure rejects, and the driver tells the device to retry.
 */
import type { Bus } from '@argus/platform';
import type { Outbox, OutboxEvent } from './types.js';

export class JetStreamOutbox implements Outbox {
  readonly kind = 'jetstream' as const;

  constructor(private readonly bus: Bus) {
    if (bus.kind !== 'nats') throw new Error('the JetStream outbox needs the NATS bus');
  }

  async append(events: readonly OutboxEvent[]): Promise<void> {
    for (const e of events) await this.bus.publish(e.subject, e.data, { id: e.id });
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {}
  pending(): number {
    return 0;
  }
}
