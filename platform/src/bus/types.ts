/**
 * The bus carries domain events between services: `device.deleted`, `alarm.raised`, …
 * Subjects are dot-separated; a subscription may use `*` (one token) and `>` (the rest).
 *
 * Two ways to listen:
 * - broadcast (no `group`): every subscriber in every process gets every event from now on.
 *   Used to feed GraphQL subscriptions and caches.
 * - work queue (`group` set): each event goes to one member of the group, at least once;
 *   the handler's promise resolving acknowledges it, a throw asks for redelivery. With NATS
 *   JetStream the group is a durable consumer, so events published while no member runs
 *   are delivered when one starts.
 */
export interface BusEvent<T = unknown> {
  /** Unique id of this event (deduplication key). */
  id: string;
  subject: string;
  data: T;
  /** Publish time, epoch milliseconds. */
  publishedAt: number;
  /** 1 on first delivery; more on redelivery of a work-queue event. */
  deliveryCount: number;
}

export type BusHandler<T = unknown> = (event: BusEvent<T>) => void | Promise<void>;

export interface SubscribeOptions {
  /** Work-queue group (durable consumer name). Omit for broadcast. */
  group?: string;
  /** Work queue only: how many events a member handles at once (default 16). */
  concurrency?: number;
  /** Work queue only: redelivery delay after a failed handler (ms, default 1000). */
  retryDelayMs?: number;
  /** Work queue only: give up after this many deliveries (default 10). */
  maxDeliveries?: number;
}

export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

export interface PublishOptions {
  /** Deduplication id; defaults to a fresh id. */
  id?: string;
  /**
   * In-process bus only: resolve once every work-queue group has handled the event (or given
   * up). An outbox uses it to delete a row only after the event was stored. JetStream's publish
   * ack already means durable, so the NATS bus ignores it.
   */
  awaitHandled?: boolean;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  publish<T>(subject: string, data: T, options?: PublishOptions): Promise<BusEvent<T>>;
  subscribe<T>(subject: string, handler: BusHandler<T>, options?: SubscribeOptions): Promise<BusSubscription>;
  close(): Promise<void>;
}

/** True when `subject` matches `pattern` (`*` one token, `>` one or more trailing tokens). */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export function assertSubject(subject: string, allowWildcards: boolean): void {
  const tokens = subject.split('.');
  const ok = tokens.every((t, i) =>
    t.length > 0 &&
    (/^[A-Za-z0-9_-]+$/.test(t) || (allowWildcards && (t === '*' || (t === '>' && i === tokens.length - 1)))),
  );
  if (!ok) throw new Error(`invalid bus subject "${subject}"`);
}
