import { newId } from '../ids.js';
import {
  assertSubject, subjectMatches,
  type Bus, type BusEvent, type BusHandler, type BusSubscription, type PublishOptions, type SubscribeOptions,
} from './types.js';

interface Listener {
  pattern: string;
  handler: BusHandler<any>;
  options: SubscribeOptions;
}

interface Group {
  members: Listener[];
  next: number;
}

interface Route {
  broadcast: Listener[];
  groups: { group: Group; members: Listener[] }[];
}

/**
 * The embedded default: events stay in this process. Broadcast subscribers each get every
 * event; a work-queue group gets each event once, round-robin, retried on failure. Nothing
 * survives a restart — durability across restarts is what the NATS JetStream bus is for.
 */
export class InProcessBus implements Bus {
  readonly kind = 'memory' as const;
  private broadcast = new Set<Listener>();
  private groups = new Map<string, Group>();
  private closed = false;
  private pending = new Set<Promise<unknown>>();
  /** Who gets an event of a subject, worked out once per subject until a subscription changes. */
  private routes = new Map<string, Route>();

  async publish<T>(subject: string, data: T, options: PublishOptions = {}): Promise<BusEvent<T>> {
    if (this.closed) throw new Error('bus is closed');
    assertSubject(subject, false);
    const event: BusEvent<T> = { id: options.id ?? newId('evt'), subject, data, publishedAt: Date.now(), deliveryCount: 1 };
    const route = this.routeOf(subject);
    for (const l of route.broadcast) this.track(this.deliverOnce(l, event));
    const handled: Promise<boolean>[] = [];
    for (const { group, members } of route.groups) {
      const member = members[group.next++ % members.length]!;
      const delivery = this.deliverWithRetry(member, event);
      this.track(delivery);
      handled.push(delivery);
    }
    if (options.awaitHandled && handled.length) {
      const results = await Promise.all(handled);
      if (results.includes(false)) throw new Error(`event ${event.id} on ${subject} was not handled by every group`);
    }
    return event;
  }

  async subscribe<T>(pattern: string, handler: BusHandler<T>, options: SubscribeOptions = {}): Promise<BusSubscription> {
    assertSubject(pattern, true);
    const listener: Listener = { pattern, handler, options };
    this.routes.clear();
    if (options.group) {
      const group = this.groups.get(options.group) ?? { members: [], next: 0 };
      group.members.push(listener);
      this.groups.set(options.group, group);
    } else {
      this.broadcast.add(listener);
    }
    return {
      unsubscribe: async () => {
        this.routes.clear();
        if (options.group) {
          const group = this.groups.get(options.group);
          if (group) group.members = group.members.filter((m) => m !== listener);
        } else {
          this.broadcast.delete(listener);
        }
      },
    };
  }

  private routeOf(subject: string): Route {
    let route = this.routes.get(subject);
    if (!route) {
      route = { broadcast: [...this.broadcast].filter((l) => subjectMatches(l.pattern, subject)), groups: [] };
      for (const group of this.groups.values()) {
        const members = group.members.filter((m) => subjectMatches(m.pattern, subject));
        if (members.length) route.groups.push({ group, members });
      }
      if (this.routes.size > 10_000) this.routes.clear();
      this.routes.set(subject, route);
    }
    return route;
  }

  /** Waits until every delivery started so far has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.broadcast.clear();
    this.groups.clear();
    this.routes.clear();
    await this.drain();
  }

  private track(p: Promise<unknown>) {
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }

  private async deliverOnce(l: Listener, event: BusEvent<unknown>) {
    await Promise.resolve();
    try {
      await l.handler(event);
    } catch {
      /* broadcast listeners own their errors */
    }
  }

  /** Resolves true once the handler succeeded, false when it gave up. */
  private async deliverWithRetry(l: Listener, event: BusEvent<unknown>): Promise<boolean> {
    const max = l.options.maxDeliveries ?? 10;
    const delay = l.options.retryDelayMs ?? 1000;
    for (let attempt = 1; attempt <= max && !this.closed; attempt++) {
      await Promise.resolve();
      try {
        await l.handler({ ...event, deliveryCount: attempt });
        return true;
      } catch {
        if (attempt < max) await new Promise((r) => setTimeout(r, delay));
      }
    }
    return false;
  }
}
