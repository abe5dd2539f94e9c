/** One bus event to deliver: `id` is its stable event id (the bus and events deduplicate by it). */
export interface OutboxEvent {
  id: string;
  subject: string;
  data: unknown;
}

/**
 * A durable hand-off to the bus. `append` resolves only once the events can no longer be lost —
 * written to the local outbox file, or acknowledged by JetStream — so a driver may then tell the
 * device its report was stored.
 */
export interface Outbox {
  readonly kind: 'sqlite' | 'jetstream';
  append(events: readonly OutboxEvent[]): Promise<void>;
  /** Starts relaying; what a previous run left behind is published first. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Events stored and not yet published (0 for JetStream). */
  pending(): number;
}
