import type { Bus, BusSubscription } from '../bus/types.js';
import { ArgusError, ErrorCode } from '../errors.js';
import { TickBatcher } from '../tick-batcher.js';
import { refusalOf } from './decision.js';
import {
  ACCOUNT_STATE_SUBJECT, ENTITLEMENT_CHANGED_SUBJECT,
  type AccountStateEvent, type AccountStateName, type Coverage, type EntitlementChangedEvent,
  type EntitlementRefusal, type EntitlementScope, type EntitlementSnapshot, type ResourceTypeName,
} from './types.js';

/** Where a checker reads what it does not have cached (billing's internal route, or billing itself in tests). */
export interface EntitlementSource {
  load(tenantId: string, scope: EntitlementScope): Promise<EntitlementSnapshot>;
  /** Several scopes of one tenant at once, answers in the same order (the checker batches misses through it when present). */
  loadMany?(tenantId: string, scopes: readonly EntitlementScope[]): Promise<EntitlementSnapshot[]>;
}

export interface EntitlementCheckerOptions {
  /** Epoch milliseconds; injectable so tests can move time (package expiry). */
  clock?: () => number;
  /** How long an answer is trusted without hearing from billing (safety net behind the bus). Default 60 s. */
  ttlMs?: number;
  /** Cached scopes across all tenants before the cache starts over. Default 200,000. */
  maxEntries?: number;
  /** Told when billing could not be asked (the checker then answers from a stale entry, or refuses). */
  onSourceError?: (err: unknown, tenantId: string) => void;
}

interface ScopeEntry {
  coverage: Partial<Record<ResourceTypeName, Coverage>>;
  until: number;
}

interface TenantEntry {
  /** Bumped by every change event: a load that started before it does not fill the cache. */
  gen: number;
  account: { state: AccountStateName; until: number } | null;
  scopes: Map<string, ScopeEntry>;
}

const DEVICE_KEY = '\u0001device:';
/** Most scopes asked of billing in one request. */
const LOAD_BATCH_MAX = 200;
const keyOf = (scope: EntitlementScope) => ('channelId' in scope ? scope.channelId : DEVICE_KEY + scope.deviceId);

/**
 * Answers "may this channel use this resource now?" from an in-process cache, in well under a
 * microsecond when the answer is cached. Billing publishes `billing.entitlement.changed` and
 * `billing.account.state` on every change; `watch(bus)` makes the cache drop or update what
 * changed as soon as the event arrives. Expiry of a package needs no event: the cached coverage
 * carries its end and is compared with the clock on every check.
 */
export class EntitlementChecker {
  private readonly tenants = new Map<string, TenantEntry>();
  private readonly loading = new Map<string, Promise<{ snapshot: EntitlementSnapshot; fresh: boolean }>>();
  private readonly clock: () => number;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private entries = 0;
  private readonly batcher = new TickBatcher<{ tenantId: string; scope: EntitlementScope }, EntitlementSnapshot>(
    (asks, tenantId) => this.source.loadMany!(tenantId, asks.map((a) => a.scope)),
    { maxBatch: LOAD_BATCH_MAX, groupOf: (a) => a.tenantId },
  );
  /** Hits and misses since start (benchmarks, metrics). */
  readonly stats = { hits: 0, misses: 0, staleAnswers: 0 };

  constructor(
    private readonly source: EntitlementSource,
    private readonly options: EntitlementCheckerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 200_000;
  }

  /** Keeps the cache in step with billing (broadcast: every process gets every change). */
  async watch(bus: Bus): Promise<BusSubscription[]> {
    return [
      await bus.subscribe<EntitlementChangedEvent>(ENTITLEMENT_CHANGED_SUBJECT, (e) => this.entitlementChanged(e.data)),
      await bus.subscribe<AccountStateEvent>(ACCOUNT_STATE_SUBJECT, (e) => this.accountChanged(e.data)),
    ];
  }

  /**
   * Refuses with ENTITLEMENT_MISSING, ACCOUNT_IN_ARREARS or ACCOUNT_SUSPENDED (an ArgusError) unless
   * the channel may use every one of `types` now. This is what media (MANAGE), talk (TALK) and
   * recording (RECORD / MOTION) call before they start something.
   */
  async require(tenantId: string, channelId: string, types: ResourceTypeName | readonly ResourceTypeName[]): Promise<void> {
    const list = typeof types === 'string' ? [types] : types;
    for (const type of list) {
      const refusal = await this.check(tenantId, { channelId }, type);
      if (refusal) throw entitlementError(refusal);
    }
  }

  /**
   * For recording: refuses like `require`, else the days recordings (RECORD, MOTION) or pictures
   * (DATAFLOW) of the channel are kept — the package's, or the binding's for an on-demand resource;
   * null when none were set.
   */
  async storageDays(tenantId: string, channelId: string, type: 'RECORD' | 'MOTION' | 'DATAFLOW'): Promise<number | null> {
    await this.require(tenantId, channelId, type);
    const cached = this.tenants.get(tenantId)?.scopes.get(channelId);
    const coverage = cached ? cached.coverage : (await this.load(tenantId, { channelId })).snapshot.coverage;
    return coverage[type]?.storageDays ?? null;
  }

  /** True when the scope may use every one of `types` now (for filters that drop rather than refuse). */
  async allows(tenantId: string, scope: EntitlementScope, types: readonly ResourceTypeName[]): Promise<boolean> {
    for (const type of types) if (await this.check(tenantId, scope, type)) return false;
    return true;
  }

  /** The refusal, or null when allowed. Cached answers cost a map lookup. */
  check(tenantId: string, scope: EntitlementScope, type: ResourceTypeName): Promise<EntitlementRefusal | null> {
    const cached = this.checkCached(tenantId, scope, type);
    if (cached !== undefined) return Promise.resolve(cached);
    // expired a little while ago: answer from it and refresh behind the answer, so that entries
    // loaded together (10,000 channels in a burst) do not all make their callers wait together
    const stale = this.recentlyExpired(tenantId, scope, type);
    if (stale !== undefined) {
      void this.load(tenantId, scope).catch(() => undefined);
      return Promise.resolve(stale);
    }
    this.stats.misses++;
    return this.load(tenantId, scope).then(({ snapshot }) =>
      refusalOf(scope, snapshot.account.state, snapshot.coverage[type], type, this.clock()),
    );
  }

  /** Synchronous check from the cache only: the refusal, null when allowed, undefined when not cached. */
  checkCached(tenantId: string, scope: EntitlementScope, type: ResourceTypeName): EntitlementRefusal | null | undefined {
    const tenant = this.tenants.get(tenantId);
    if (!tenant?.account) return undefined;
    const now = this.clock();
    if (tenant.account.until <= now) return undefined;
    const entry = tenant.scopes.get(keyOf(scope));
    if (!entry || entry.until <= now) return undefined;
    this.stats.hits++;
    return refusalOf(scope, tenant.account.state, entry.coverage[type], type, now);
  }

  /** The cached answer when it expired less than half a ttl ago, else undefined. */
  private recentlyExpired(tenantId: string, scope: EntitlementScope, type: ResourceTypeName): EntitlementRefusal | null | undefined {
    const tenant = this.tenants.get(tenantId);
    const entry = tenant?.scopes.get(keyOf(scope));
    if (!tenant?.account || !entry) return undefined;
    const now = this.clock();
    if (now - Math.min(entry.until, tenant.account.until) >= this.ttlMs / 2) return undefined;
    this.stats.staleAnswers++;
    return refusalOf(scope, tenant.account.state, entry.coverage[type], type, now);
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.tenants.clear();
    this.entries = 0;
  }

  entitlementChanged(e: EntitlementChangedEvent): void {
    const tenant = this.tenants.get(e.tenantId);
    if (!tenant) return;
    tenant.gen++;
    if (!e.channelIds) {
      this.entries -= tenant.scopes.size;
      tenant.scopes.clear();
      return;
    }
    for (const id of e.channelIds) if (tenant.scopes.delete(id)) this.entries--;
    // a device's alarms are judged from its channels: drop device answers of this tenant too
    for (const key of [...tenant.scopes.keys()]) if (key.startsWith(DEVICE_KEY) && tenant.scopes.delete(key)) this.entries--;
  }

  accountChanged(e: AccountStateEvent): void {
    const tenant = this.tenants.get(e.tenantId);
    if (!tenant) return;
    tenant.gen++;
    tenant.account = { state: e.state, until: this.clock() + this.ttlMs };
  }

  private tenant(tenantId: string): TenantEntry {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = { gen: 0, account: null, scopes: new Map() };
      this.tenants.set(tenantId, t);
    }
    return t;
  }

  private load(tenantId: string, scope: EntitlementScope): Promise<{ snapshot: EntitlementSnapshot; fresh: boolean }> {
    const key = keyOf(scope);
    const flightKey = `${tenantId}\u0000${key}`;
    const inFlight = this.loading.get(flightKey);
    if (inFlight) return inFlight;
    const tenant = this.tenant(tenantId);
    const gen = tenant.gen;
    const p = this.fetch(tenantId, scope)
      .then((snapshot) => {
        if (this.tenants.get(tenantId) === tenant && tenant.gen === gen) this.store(tenant, key, snapshot);
        return { snapshot, fresh: true };
      })
      .catch((err: unknown) => {
        this.options.onSourceError?.(err, tenantId);
        const stale = tenant.scopes.get(key);
        if (stale && tenant.account) {
          this.stats.staleAnswers++;
          return { snapshot: { tenantId, account: { state: tenant.account.state }, coverage: stale.coverage }, fresh: false };
        }
        if (err instanceof ArgusError) throw err;
        throw new ArgusError(ErrorCode.UNAVAILABLE, 'entitlements cannot be checked right now (billing unreachable); try again');
      })
      .finally(() => this.loading.delete(flightKey));
    this.loading.set(flightKey, p);
    return p;
  }

  /**
   * One scope from the source. With `loadMany`, the misses of a tenant in the same turn of the
   * event loop go to billing in one request (a burst of alarms from many channels asks once).
   */
  private fetch(tenantId: string, scope: EntitlementScope): Promise<EntitlementSnapshot> {
    if (!this.source.loadMany) return this.source.load(tenantId, scope);
    return this.batcher.add({ tenantId, scope });
  }

  private store(tenant: TenantEntry, key: string, snapshot: EntitlementSnapshot): void {
    if (this.entries >= this.maxEntries) this.clear();
    if (this.tenants.get(snapshot.tenantId) !== tenant) this.tenants.set(snapshot.tenantId, tenant);
    // 80–100 % of the ttl: entries loaded in one burst do not all expire in the same instant
    const until = this.clock() + this.ttlMs * (0.8 + 0.2 * Math.random());
    if (!tenant.scopes.has(key)) this.entries++;
    tenant.scopes.set(key, { coverage: snapshot.coverage, until });
    tenant.account = { state: snapshot.account.state, until };
  }
}

/** The ArgusError for a refusal: its code, message and what it was about. */
export function entitlementError(refusal: EntitlementRefusal): ArgusError {
  return new ArgusError(ErrorCode[refusal.code], refusal.message, {
    resourceType: refusal.resourceType,
    resourceId: refusal.resourceId,
    state: refusal.state,
  });
}
