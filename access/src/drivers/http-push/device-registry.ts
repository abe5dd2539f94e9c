/**
 * Devices by code: asks the devices subgraph (GET /internal/devices/by-code/<code>?protocol=HTTP_PUSH,
 * signed as SERVICE) and keeps the answers briefly. device.updated / device.deleted / channel.* evict
 * a device at once; device.created drops the remembered misses (a camera may just have been added).
 */
import { INTERNAL_CONTEXT_HEADER, type Bus, type BusSubscription, type InternalContextSigner, type Logger } from '@argus/platform';

export interface PushDevice {
  deviceId: string;
  tenantId: string;
  name: string;
  password: string | null;
  channels: { id: string; index: number }[];
}

export type LookupResult =
  | { kind: 'found'; device: PushDevice }
  | { kind: 'unknown' }
  /** Devices of several tenants have the code: refuse (devices answered 409). */
  | { kind: 'ambiguous' };

/** Letters, digits, . _ : - — what the devices subgraph accepts as a device code. */
export const DEVICE_CODE = /^[A-Za-z0-9._:-]{1,64}$/;

export interface DeviceRegistryOptions {
  /** Base URL of the devices subgraph (without /graphql). */
  devicesUrl: string;
  signer: InternalContextSigner;
  bus: Bus;
  logger: Logger;
  /** How long an answer is reused (ms). Misses are kept at most 5 s. */
  cacheMs: number;
  /** Per-request timeout of the lookup (ms). */
  timeoutMs?: number;
}

interface Entry {
  result: LookupResult;
  expiresAt: number;
}

const MISS_CACHE_MS = 5_000;

export class DeviceRegistry {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<LookupResult>>();
  private subs: BusSubscription[] = [];
  /** Bumped on every eviction: a lookup that started before one must not repopulate the cache. */
  private generation = 0;

  constructor(private readonly o: DeviceRegistryOptions) {}

  async start(): Promise<void> {
    const byDevice = (e: { data: unknown }) => {
      const id = (e.data as { deviceId?: unknown } | null)?.deviceId;
      if (typeof id === 'string') this.evictDevice(id);
    };
    for (const subject of ['device.updated', 'device.deleted', 'channel.created', 'channel.deleted', 'channel.updated']) {
      this.subs.push(await this.o.bus.subscribe(subject, byDevice));
    }
    this.subs.push(await this.o.bus.subscribe('device.created', () => this.evictMisses()));
  }

  async close(): Promise<void> {
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)));
    this.cache.clear();
  }

  /** Looks a code up (cached). Throws when the devices subgraph cannot answer. */
  lookup(code: string): Promise<LookupResult> {
    const hit = this.cache.get(code);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.result);
    const running = this.inflight.get(code);
    if (running) return running;
    const generation = this.generation;
    const p = this.fetchDevice(code)
      .then((result) => {
        const ttl = result.kind === 'found' ? this.o.cacheMs : Math.min(this.o.cacheMs, MISS_CACHE_MS);
        if (ttl > 0 && generation === this.generation) this.cache.set(code, { result, expiresAt: Date.now() + ttl });
        return result;
      })
      .finally(() => this.inflight.delete(code));
    this.inflight.set(code, p);
    return p;
  }

  evictDevice(deviceId: string): void {
    this.generation++;
    for (const [code, e] of this.cache) if (e.result.kind === 'found' && e.result.device.deviceId === deviceId) this.cache.delete(code);
  }

  evictMisses(): void {
    this.generation++;
    for (const [code, e] of this.cache) if (e.result.kind !== 'found') this.cache.delete(code);
  }

  private async fetchDevice(code: string): Promise<LookupResult> {
    const url = `${this.o.devicesUrl}/internal/devices/by-code/${encodeURIComponent(code)}?protocol=HTTP_PUSH`;
    const res = await fetch(url, {
      headers: { [INTERNAL_CONTEXT_HEADER]: this.o.signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }) },
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 5_000),
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return { kind: 'unknown' };
    }
    if (res.status === 409) {
      await res.body?.cancel();
      return { kind: 'ambiguous' };
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new Error(`devices answered HTTP ${res.status} to the lookup of ${code}: ${text.slice(0, 200)}`);
    }
    const body = (await res.json()) as Partial<PushDevice>;
    if (typeof body.deviceId !== 'string' || typeof body.tenantId !== 'string' || !Array.isArray(body.channels)) {
      throw new Error(`devices answered the lookup of ${code} with an unexpected body`);
    }
    return {
      kind: 'found',
      device: {
        deviceId: body.deviceId,
        tenantId: body.tenantId,
        name: typeof body.name === 'string' ? body.name : '',
        password: typeof body.password === 'string' ? body.password : null,
        channels: body.channels
          .filter((c): c is { id: string; index: number } => typeof c?.id === 'string' && Number.isInteger(c?.index))
          .map((c) => ({ id: c.id, index: c.index })),
      },
    };
  }
}
