import { describe, it, expect } from 'vitest';
import { SharedSubscriptions } from '../src/shared-subscriptions.js';

/** A controllable async source that counts starts and returns. */
function source() {
  const state = { started: 0, returned: 0, push: (_v: number) => {}, end: () => {} };
  const start = () => {
    state.started++;
    const queue: number[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    state.push = (v) => (queue.push(v), wake?.());
    state.end = () => ((done = true), wake?.());
    const it: AsyncIterableIterator<number> = {
      async next() {
        while (!queue.length && !done) await new Promise<void>((r) => (wake = r));
        return queue.length ? { value: queue.shift()!, done: false } : { value: undefined, done: true };
      },
      async return() {
        state.returned++;
        done = true;
        wake?.();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return it;
  };
  return { state, start };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SharedSubscriptions', () => {
  it('starts one source for concurrent subscribers of one key and gives each every event', async () => {
    const shared = new SharedSubscriptions<number>();
    const s = source();
    const subs = (await Promise.all(Array.from({ length: 50 }, () => shared.subscribe('k', s.start)))) as AsyncIterableIterator<number>[];
    expect(s.state.started).toBe(1);
    const got = subs.map(() => [] as number[]);
    subs.forEach(async (it, i) => {
      for await (const v of it) got[i]!.push(v);
    });
    await tick();
    s.state.push(1);
    s.state.push(2);
    await tick();
    expect(got.every((g) => g.join() === '1,2')).toBe(true);
  });

  it('keeps other keys apart and stops the source when the last subscriber leaves', async () => {
    const shared = new SharedSubscriptions<number>();
    const a = source();
    const b = source();
    const a1 = (await shared.subscribe('a', a.start)) as AsyncIterableIterator<number>;
    const a2 = (await shared.subscribe('a', a.start)) as AsyncIterableIterator<number>;
    const b1 = (await shared.subscribe('b', b.start)) as AsyncIterableIterator<number>;
    expect([a.state.started, b.state.started]).toEqual([1, 1]);
    await a1.return!();
    expect(a.state.returned).toBe(0);
    await a2.return!();
    await tick();
    expect(a.state.returned).toBe(1);
    expect(shared.size).toBe(1);
    // a new subscriber after that starts a fresh source
    await shared.subscribe('a', a.start);
    expect(a.state.started).toBe(2);
    await b1.return!();
  });

  it('drops the oldest events of a subscriber that does not read, without holding up the others', async () => {
    const shared = new SharedSubscriptions<number>(3);
    const s = source();
    const slow = (await shared.subscribe('k', s.start)) as AsyncIterableIterator<number>;
    const fast = (await shared.subscribe('k', s.start)) as AsyncIterableIterator<number>;
    const fastGot: number[] = [];
    void (async () => {
      for await (const v of fast) fastGot.push(v);
    })();
    for (let i = 1; i <= 10; i++) s.state.push(i);
    await tick();
    expect(fastGot).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const slowGot = [(await slow.next()).value, (await slow.next()).value, (await slow.next()).value];
    expect(slowGot).toEqual([8, 9, 10]);
  });

  it('passes an immediate result through without sharing it', async () => {
    const shared = new SharedSubscriptions<{ errors: string[] }>();
    const result = { errors: ['nope'] };
    expect(await shared.subscribe('k', () => result)).toBe(result);
    expect(shared.size).toBe(0);
  });

  it('ends every subscriber when the source ends', async () => {
    const shared = new SharedSubscriptions<number>();
    const s = source();
    const x = (await shared.subscribe('k', s.start)) as AsyncIterableIterator<number>;
    const pending = x.next();
    await tick();
    s.state.end();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(shared.size).toBe(0);
  });
});
