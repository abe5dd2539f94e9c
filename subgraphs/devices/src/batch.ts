/**
 * A minimal per-request batch loader: every load() issued in the same tick is answered by one
 * fetch of all distinct keys (e.g. one `where id in (…)` for the gateway's _entities lists).
 * Nothing is cached beyond the batch, so a long-lived subscription context never serves stale rows.
 */
export class Batcher<K, V> {
  private queue: Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (e: unknown) => void }>> | null = null;

  constructor(
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.queue) {
        this.queue = new Map();
        // after the current promise jobs, like DataLoader: sibling resolvers all enqueue first
        void Promise.resolve().then(() => process.nextTick(() => this.dispatch()));
      }
      const waiting = this.queue.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(key, [{ resolve, reject }]);
    });
  }

  private dispatch(): void {
    const queue = this.queue;
    this.queue = null;
    if (!queue) return;
    const keys = [...queue.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const chunk = keys.slice(i, i + this.maxBatch);
      this.fetch(chunk).then(
        (found) => {
          for (const k of chunk) for (const w of queue.get(k)!) w.resolve(found.get(k));
        },
        (err) => {
          for (const k of chunk) for (const w of queue.get(k)!) w.reject(err);
        },
      );
    }
  }
}

/** Groups rows by a key, keeping order; for one-to-many loaders. */
export function groupBy<K, V>(rows: V[], keyOf: (row: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
