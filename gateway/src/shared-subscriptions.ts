/**
 * Runs one upstream execution per distinct subscription and hands every event to all its
 * subscribers. Many frontends of one tenant watching the same alarms then cost the gateway
 * one execution (and one set of entity fetches) per event instead of one per viewer.
 *
 * A subscriber that stops reading loses its oldest pending events beyond `maxQueue`; it never
 * holds up the source or the other subscribers.
 */
export class SharedSubscriptions<T> {
  private sources = new Map<string, Promise<Multicast<T> | T>>();

  constructor(private readonly maxQueue = 1000) {}

  get size(): number {
    return this.sources.size;
  }

  /** Joins the shared source under `key`, starting it with `start` when nobody holds it. */
  async subscribe(key: string, start: () => Promise<AsyncIterable<T> | T> | AsyncIterable<T> | T): Promise<AsyncIterableIterator<T> | T> {
    let pending = this.sources.get(key);
    if (!pending) {
      // concurrent subscribers of the same key wait for this one start
      pending = (async () => {
        try {
          const started = await start();
          if (!isAsyncIterable<T>(started)) {
            this.sources.delete(key); // an immediate result (errors): nothing to share
            return started;
          }
          return new Multicast<T>(started, this.maxQueue, () => {
            if (this.sources.get(key) === pending) this.sources.delete(key);
          });
        } catch (err) {
          this.sources.delete(key);
          throw err;
        }
      })();
      this.sources.set(key, pending);
    }
    const source = await pending;
    if (!(source instanceof Multicast)) return source;
    const joined = source.join();
    if (joined) return joined;
    // the source ended between start and join: start afresh
    if (this.sources.get(key) === pending) this.sources.delete(key);
    return this.subscribe(key, start);
  }
}

function isAsyncIterable<T>(v: unknown): v is AsyncIterable<T> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

class Multicast<T> {
  private consumers = new Set<Consumer<T>>();
  private iterator: AsyncIterator<T>;
  private pumping = false;
  private ended = false;

  constructor(source: AsyncIterable<T>, private readonly maxQueue: number, private readonly onEmpty: () => void) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  join(): AsyncIterableIterator<T> | null {
    if (this.ended) return null;
    const consumer = new Consumer<T>(this.maxQueue, () => this.leave(consumer));
    this.consumers.add(consumer);
    if (!this.pumping) void this.pump();
    return consumer;
  }

  private leave(consumer: Consumer<T>) {
    this.consumers.delete(consumer);
    if (this.consumers.size === 0 && !this.ended) {
      this.ended = true;
      this.onEmpty();
      void this.iterator.return?.();
    }
  }

  private async pump() {
    this.pumping = true;
    try {
      for (;;) {
        const r = await this.iterator.next();
        if (r.done) break;
        for (const c of this.consumers) c.push(r.value);
      }
    } catch (err) {
      for (const c of this.consumers) c.fail(err);
    } finally {
      if (!this.ended) {
        this.ended = true;
        this.onEmpty();
      }
      for (const c of [...this.consumers]) c.end();
    }
  }
}

class Consumer<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private done = false;
  private error: unknown = null;
  dropped = 0;

  constructor(private readonly maxQueue: number, private readonly onLeave: () => void) {}

  push(value: T) {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(value);
  }

  fail(err: unknown) {
    this.error = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.done = true;
      w.reject(err);
    }
  }

  end() {
    this.done = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: undefined as never, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.error) {
      const e = this.error;
      this.error = null;
      this.done = true;
      return Promise.reject(e);
    }
    if (this.done) return Promise.resolve({ value: undefined as never, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onLeave();
      this.end();
    }
    return Promise.resolve({ value: undefined as never, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
