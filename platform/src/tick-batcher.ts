/**
 * Collects what is asked in one turn of the event loop and hands it over together: a burst of
 * lookups or writes becomes one request or one statement. `run(items, group)` receives at most
 * `maxBatch` items of one group (items of different groups never share a call) and answers each
 * item, in order; when it throws, every item of that call fails with its error.
 */
export class TickBatcher<T, R> {
  private queued = new Map<string, { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[]>();
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(
    private readonly run: (items: T[], group: string) => Promise<R[]>,
    private readonly options: { maxBatch?: number; groupOf?: (item: T) => string } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const group = this.options.groupOf?.(item) ?? '';
      let waiting = this.queued.get(group);
      if (!waiting) this.queued.set(group, (waiting = []));
      waiting.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = this.queued;
    this.queued = new Map();
    for (const [group, waiting] of groups) {
      for (let i = 0; i < waiting.length; i += this.maxBatch) {
        const part = waiting.slice(i, i + this.maxBatch);
        Promise.resolve()
          .then(() => this.run(part.map((w) => w.item), group))
          .then((results) => {
            if (results.length !== part.length) throw new Error(`batch answered ${results.length} of ${part.length} items`);
            part.forEach((w, j) => w.resolve(results[j]!));
          })
          .catch((err: unknown) => {
            for (const w of part) w.reject(err);
          });
      }
    }
  }
}
