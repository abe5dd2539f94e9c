/**
 * Collects the keys asked for during one turn of the event loop and fetches them together:
 * `Channel.entitlements` on a list of channels costs one query, not one per channel.
 * Create one per request (its results are not cached beyond the batch).
 */
export class BatchLoader<K, V> {
  private pending: Array<{ key: K; resolve: (v: V) => void; reject: (e: unknown) => void }> = [];

  constructor(
    private readonly fetchMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: () => V,
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ key, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i += this.maxBatch) {
      const part = batch.slice(i, i + this.maxBatch);
      try {
        const found = await this.fetchMany([...new Set(part.map((p) => p.key))]);
        for (const p of part) p.resolve(found.has(p.key) ? found.get(p.key)! : this.missing());
      } catch (err) {
        for (const p of part) p.reject(err);
      }
    }
  }
}
