import { INTERNAL_CONTEXT_HEADER, type CallerContext, type InternalContextSigner } from '../auth/internal-context.js';
import type { Bus } from '../bus/types.js';
import { ArgusError, ErrorCode } from '../errors.js';

export interface ChannelInfo {
  id: string;
  deviceId: string;
  tenantId: string;
}

/** Bus subjects the devices subgraph publishes when channels go away. */
export const CHANNEL_GONE_SUBJECTS = ['device.deleted', 'channel.deleted'] as const;

/**
 * Lets a subgraph that extends Channel (media, events, billing) check that a channel exists
 * and belongs to the caller's tenant, without owning channel data: it asks the devices
 * subgraph through federation's _entities with the caller's own signed context (so devices
 * applies its tenant rules) and caches answers briefly; deletions on the bus evict at once.
 */
export class ChannelDirectory {
  private cache = new Map<string, { info: ChannelInfo | null; until: number }>();

  constructor(
    private readonly devicesUrl: string,
    private readonly signer: InternalContextSigner,
    private readonly ttlMs = 30_000,
  ) {}

  async watch(bus: Bus): Promise<void> {
    for (const subject of CHANNEL_GONE_SUBJECTS) {
      await bus.subscribe<{ channelId?: string; channelIds?: string[] }>(subject, (e) => {
        const ids = [...(e.data.channelIds ?? []), ...(e.data.channelId ? [e.data.channelId] : [])];
        for (const [key] of this.cache) if (ids.some((id) => key.endsWith(`|${id}`))) this.cache.delete(key);
      });
    }
  }

  /** The channel as the caller may see it, or null (unknown or another tenant's). */
  async lookup(caller: CallerContext, channelId: string): Promise<ChannelInfo | null> {
    const key = `${caller.tenantId ?? '*'}|${channelId}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.info;
    const res = await fetch(this.devicesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: this.signer.sign(caller) },
      body: JSON.stringify({
        query: 'query($r:[_Any!]!){_entities(representations:$r){... on Channel { id deviceId tenantId }}}',
        variables: { r: [{ __typename: 'Channel', id: channelId }] },
      }),
    });
    if (!res.ok) throw new ArgusError(ErrorCode.UNAVAILABLE, `devices subgraph answered HTTP ${res.status}`);
    const body = (await res.json()) as { data?: { _entities?: Array<ChannelInfo | null> }; errors?: unknown[] };
    const info = body.data?._entities?.[0] ?? null;
    this.cache.set(key, { info, until: Date.now() + this.ttlMs });
    if (this.cache.size > 50_000) this.cache.clear();
    return info;
  }

  /** Like lookup, but NOT_FOUND when the caller cannot see the channel. */
  async require(caller: CallerContext, channelId: string): Promise<ChannelInfo> {
    const info = await this.lookup(caller, channelId);
    if (!info) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    return info;
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
