import { TickBatcher } from '@argus/platform';
/**
 * Collects the keys asked for during one turn of the event loop and fetches them together:
 * `Channel.entitlements` on a list of channels costs one query, not one per channel.
 * Create one per request (its results are not cached beyond the batch).
 */
export class BatchLoader<K, V> {
  private readonly batcher: TickBatcher<K, V>;

  constructor(
    fetchMany: (keys: K[]) => Promise<Map<K, V>>,
    missing: () => V,
    maxBatch = 500,
  ) {
    this.batcher = new TickBatcher<K, V>(async (keys) => {
      const found = await fetchMany([...new Set(keys)]);
      return keys.map((k) => (found.has(k) ? found.get(k)! : missing()));
    }, { maxBatch });
  }

  load(key: K): Promise<V> {
    return this.batcher.add(key);
  }
}
