import { describe, expect, it } from 'vitest';
import { Batcher, groupBy } from '../src/batch.js';

describe('Batcher', () => {
  it('answers every load of one tick with one fetch of the distinct keys', async () => {
    const calls: string[][] = [];
    const b = new Batcher<string, number>(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
    });
    const results = await Promise.all(['a', 'bb', 'a', 'missing', 'ccc'].map((k) => b.load(k)));
    expect(results).toEqual([1, 2, 1, undefined, 3]);
    expect(calls).toEqual([['a', 'bb', 'missing', 'ccc']]);
    await b.load('a'); // next tick: a new batch, nothing cached
    expect(calls).toHaveLength(2);
  });

  it('splits large batches and rejects every waiter of a failed fetch', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, number>(async (keys) => {
      sizes.push(keys.length);
      if (keys.includes(4)) throw new Error('boom');
      return new Map(keys.map((k) => [k, k]));
    }, 3);
    const settled = await Promise.allSettled([1, 2, 3, 4, 5].map((k) => b.load(k)));
    expect(sizes).toEqual([3, 2]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
  });
});

describe('groupBy', () => {
  it('keeps row order within each key', () => {
    expect(groupBy([{ d: 'x', i: 1 }, { d: 'y', i: 1 }, { d: 'x', i: 2 }], (r) => r.d)).toEqual(
      new Map([['x', [{ d: 'x', i: 1 }, { d: 'x', i: 2 }]], ['y', [{ d: 'y', i: 1 }]]]),
    );
  });
});
