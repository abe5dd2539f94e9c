import { describe, expect, it } from 'vitest';
import { BatchLoader } from '../src/batch-loader.js';

describe('BatchLoader', () => {
  it('fetches keys asked for in the same turn together, once each', async () => {
    const calls: string[][] = [];
    const loader = new BatchLoader<string, number>(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'none').map((k) => [k, k.length]));
    }, () => -1);
    const results = await Promise.all(['a', 'bb', 'a', 'none'].map((k) => loader.load(k)));
    expect(results).toEqual([1, 2, 1, -1]);
    expect(calls).toEqual([['a', 'bb', 'none']]);
    expect(await loader.load('ccc')).toBe(3);
    expect(calls.length).toBe(2);
  });

  it('splits large batches and passes errors to every waiter', async () => {
    const sizes: number[] = [];
    const loader = new BatchLoader<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k * 2]));
    }, () => 0, 2);
    expect(await Promise.all([1, 2, 3].map((k) => loader.load(k)))).toEqual([2, 4, 6]);
    expect(sizes).toEqual([2, 1]);
    const failing = new BatchLoader<number, number>(async () => {
      throw new Error('db down');
    }, () => 0);
    await expect(Promise.all([failing.load(1), failing.load(2)])).rejects.toThrow('db down');
  });
});
