/**
 * Remembers (appid, msgSeq) pairs for the signature window so a captured signed request
 * cannot be replayed. In memory on the embedded default; Redis (SET NX PX) in scale mode so
 * every gateway instance shares the memory.
 */
export interface ReplayGuard {
  /** True the first time a key is seen inside `ttlMs`; false for a replay. */
  firstUse(key: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryReplayGuard implements ReplayGuard {
  private seen = new Map<string, number>();
  private sweeper = setInterval(() => this.sweep(), 60_000);

  constructor() {
    this.sweeper.unref();
  }

  async firstUse(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + ttlMs);
    return true;
  }

  private sweep() {
    const now = Date.now();
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
  }

  async close() {
    clearInterval(this.sweeper);
  }
}

export class RedisReplayGuard implements ReplayGuard {
  constructor(private readonly redis: import('ioredis').Redis) {}

  async firstUse(key: string, ttlMs: number): Promise<boolean> {
    const r = await this.redis.set(`argus:msgseq:${key}`, '1', 'PX', ttlMs, 'NX');
    return r === 'OK';
  }

  async close() {
    this.redis.disconnect();
  }
}
