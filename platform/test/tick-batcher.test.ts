import { describe, expect, it } from 'vitest';
import { TickBatcher } from '../src/index.js';

describe('TickBatcher', () => {
  it('hands what is asked in one turn over together, per group and in order, at most maxBatch at a time', async () => {
    const calls: { group: string; items: number[] }[] = [];
    const batcher = new TickBatcher<number, string>(async (items, group) => {
      calls.push({ group, items });
      return items.map((n) => `${group}:${n}`);
    }, { maxBatch: 3, groupOf: (n) => (n % 2 ? 'odd' : 'even') });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => batcher.add(n)));
    expect(answers).toEqual(['odd:1', 'even:2', 'odd:3', 'even:4', 'odd:5', 'even:6', 'odd:7', 'even:8']);
    expect(calls).toEqual([
      { group: 'odd', items: [1, 3, 5] },
      { group: 'odd', items: [7] },
      { group: 'even', items: [2, 4, 6] },
      { group: 'even', items: [8] },
    ]);
    // the next turn is a new batch
    expect(await batcher.add(9)).toBe('odd:9');
    expect(calls.at(-1)).toEqual({ group: 'odd', items: [9] });
  });

  it('fails every item of a call that throws or answers the wrong number of items, and only those', async () => {
    const batcher = new TickBatcher<string, number>(async (items, group) => {
      if (group === 'down') throw new Error('source down');
      return group === 'short' ? items.slice(1).map((s) => s.length) : items.map((s) => s.length);
    }, { groupOf: (s) => s.split(':')[0]! });
    const results = await Promise.allSettled(['down:a', 'short:b', 'short:cc', 'ok:ddd'].map((s) => batcher.add(s)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'source down', 'batch answered 1 of 2 items', 'batch answered 1 of 2 items', 6,
    ]);
  });
});
