import { INTERNAL_CONTEXT_HEADER, type CallerContext, type InternalContextSigner } from '../auth/internal-context.js';
import type { Bus } from '../bus/types.js';
import { ArgusError, ErrorCode } from '../errors.js';
import { TickBatcher } from '../tick-batcher.js';

export interface DeviceInfo {
  id: string;
  tenantId: string;
  name: string;
}

export interface ChannelInfo {
  id: string;
  deviceId: string;
  tenantId: string;
  name: string;
  device: DeviceInfo;
}

/** Bus subjects the devices subgraph publishes when channels go away. */
export const CHANNEL_GONE_SUBJECTS = ['device.deleted', 'channel.deleted'] as const;
/** Subjects after which a remembered channel or device (its name) may be out of date. */
const CHANGED_SUBJECTS = [...CHANNEL_GONE_SUBJECTS, 'device.updated', 'channel.updated'] as const;

/** Most representations asked of the devices subgraph in one request. */
const BATCH_MAX = 200;
const CACHE_MAX = 100_000;

const ENTITIES_QUERY =
  'query ArgusDirectory($r:[_Any!]!){_entities(representations:$r){' +
  '... on Channel { id deviceId tenantId name device { id tenantId name } } ... on Device { id tenantId name }}}';

type Kind = 'Channel' | 'Device';
type Info = ChannelInfo | DeviceInfo;

interface Ask {
  caller: CallerContext;
  scope: string;
  kind: Kind;
  id: string;
}

/**
 * Lets a subgraph that extends Channel or Device (media, events, billing) check that a channel
 * or device exists and belongs to the caller's tenant, and know its name, without owning that
 * data: it asks the devices subgraph through federation's _entities with the caller's own signed
 * context (so devices applies its tenant rules). Lookups made in the same turn of the event loop
 * by callers of the same tenant and role travel in one request; answers are kept about `ttlMs` (5 min) and
 * dropped at once when the bus says the device or channel changed or went away.
 */
export class ChannelDirectory {
  private readonly cache = new Map<string, { info: Promise<Info | null>; until: number; deviceId: string | null }>();
  private readonly batcher = new TickBatcher<Ask, Info | null>((asks) => this.ask(asks[0]!.caller, asks), {
    maxBatch: BATCH_MAX,
    groupOf: (a) => a.scope,
  });

  constructor(
    private readonly devicesUrl: string,
    private readonly signer: InternalContextSigner,
    private readonly ttlMs = 300_000,
  ) {}

  async watch(bus: Bus): Promise<void> {
    for (const subject of CHANGED_SUBJECTS) {
      await bus.subscribe<{ deviceId?: string; channelId?: string; channelIds?: string[] }>(subject, (e) => {
        const ids = new Set([...(e.data.channelIds ?? []), ...(e.data.channelId ? [e.data.channelId] : [])]);
        const deviceId = e.data.deviceId;
        // a device change evicts the device and its channels (they carry the device's name)
        for (const [key, entry] of this.cache) {
          const id = key.slice(key.lastIndexOf('|') + 1);
          if (ids.has(id) || (deviceId && (id === deviceId || entry.deviceId === deviceId))) this.cache.delete(key);
        }
      });
    }
  }

  /** The channel as the caller may see it, or null (unknown or another tenant's). */
  lookup(caller: CallerContext, channelId: string): Promise<ChannelInfo | null> {
    return this.get(caller, 'Channel', channelId) as Promise<ChannelInfo | null>;
  }

  /** The device as the caller may see it, or null (unknown or another tenant's). */
  device(caller: CallerContext, deviceId: string): Promise<DeviceInfo | null> {
    return this.get(caller, 'Device', deviceId) as Promise<DeviceInfo | null>;
  }

  /** Like lookup, but NOT_FOUND when the caller cannot see the channel. */
  async require(caller: CallerContext, channelId: string): Promise<ChannelInfo> {
    const info = await this.lookup(caller, channelId);
    if (!info) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    return info;
  }

  private get(caller: CallerContext, kind: Kind, id: string): Promise<Info | null> {
    const scope = `${caller.tenantId ?? '*'}|${caller.role}`;
    const key = `${scope}|${kind}|${id}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.info;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const info = this.batcher.add({ caller, scope, kind, id });
    // 80–100 % of the ttl, so that entries looked up in one burst are not all asked again together
    const entry = { info, until: now + this.ttlMs * (0.8 + 0.2 * Math.random()), deviceId: kind === 'Device' ? id : null };
    // expired a little while ago: answer from it while the new answer comes (kept if that fails)
    const stale = hit && now - hit.until < this.ttlMs / 2 ? { ...hit, until: now + 1_000 } : null;
    this.cache.set(key, stale ?? entry);
    info.then(
      (found) => {
        if (found && 'deviceId' in found) entry.deviceId = found.deviceId;
        // unless the bus dropped the key meanwhile
        if (stale && this.cache.get(key) === stale) this.cache.set(key, entry);
      },
      () => {
        if (!stale && this.cache.get(key) === entry) this.cache.delete(key);
      },
    );
    return stale ? stale.info : info;
  }

  private async ask(caller: CallerContext, asks: Ask[]): Promise<(Info | null)[]> {
    {
      const res = await fetch(this.devicesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: this.signer.sign(caller) },
        body: JSON.stringify({ query: ENTITIES_QUERY, variables: { r: asks.map((a) => ({ __typename: a.kind, id: a.id })) } }),
      });
      if (!res.ok) throw new ArgusError(ErrorCode.UNAVAILABLE, `devices subgraph answered HTTP ${res.status}`);
      const body = (await res.json()) as { data?: { _entities?: Array<Info | null> } | null };
      const found = body.data?._entities;
      if (!Array.isArray(found) || found.length !== asks.length) throw new ArgusError(ErrorCode.UNAVAILABLE, 'devices subgraph gave no entities');
      return found.map((f) => f ?? null);
    }
  }
}

/** The tenant a caller acts in; FORBIDDEN for callers outside any tenant (admin without x-argus-tenant). */
export function requireTenant(caller: CallerContext): string {
  if (caller.role === 'ANONYMOUS') throw new ArgusError(ErrorCode.UNAUTHENTICATED, 'authentication required');
  if (!caller.tenantId) {
    throw new ArgusError(ErrorCode.FORBIDDEN, 'this operation acts inside a tenant: use a tenant app, or the admin app with the x-argus-tenant header');
  }
  return caller.tenantId;
}
