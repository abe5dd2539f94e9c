import type { Bus, BusEvent } from '../bus/types.js';

/**
 * Turns a broadcast bus subscription into the AsyncIterator a GraphQL subscription needs.
 * Events pass through `filter` (tenant isolation goes here) and a bounded queue: a client
 * that cannot keep up loses its oldest events instead of growing memory without bound.
 */
export function busIterator<T, R = T>(
  bus: Bus,
  subject: string,
  options: { filter?: (event: BusEvent<T>) => boolean | Promise<boolean>; map?: (event: BusEvent<T>) => R; maxQueue?: number } = {},
): AsyncIterableIterator<R> {
  const maxQueue = options.maxQueue ?? 1000;
  const queue: R[] = [];
  let waiting: ((r: IteratorResult<R>) => void) | null = null;
  let done = false;
  const map = options.map ?? ((e: BusEvent<T>) => e.data as unknown as R);
  const subscription = bus.subscribe<T>(subject, async (event) => {
    if (done) return;
    if (options.filter && !(await options.filter(event))) return;
    const value = map(event);
    if (waiting) {
      const w = waiting;
      waiting = null;
      w({ value, done: false });
    } else {
      if (queue.length >= maxQueue) queue.shift();
      queue.push(value);
    }
  });
  const finish = async (): Promise<IteratorResult<R>> => {
    if (!done) {
      done = true;
      queue.length = 0;
      if (waiting) waiting({ value: undefined as any, done: true });
      waiting = null;
      await (await subscription).unsubscribe();
    }
    return { value: undefined as any, done: true };
  };
  return {
    async next() {
      await subscription;
      if (queue.length) return { value: queue.shift()!, done: false };
      if (done) return { value: undefined as any, done: true };
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    throw: async (err) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
