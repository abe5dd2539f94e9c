import type { SqlEntityManager } from '@mikro-orm/knex';
import { refusalOf, type Coverage, type EntitlementSnapshot } from '@argus/platform';
import { ChannelBinding } from './entities/channel-binding.js';
import { ResourcePackage } from './entities/resource-package.js';
import type { Account } from './entities/account.js';
import { CoverageSource, ResourceType } from './enums.js';
import { defaultOpenOf } from './accounts.js';

/** How one channel is covered for one resource type: through a binding, or the tenant's default. */
export interface ChannelCoverage {
  resourceType: ResourceType;
  resource: ResourcePackage;
  binding: ChannelBinding | null;
  source: CoverageSource;
}

export type CoverageMap = Map<ResourceType, ChannelCoverage>;

/**
 * Coverage of channels of one tenant, in one pass: their bindings, the resources bound, and the
 * tenant's on-demand resources for the types it opens by default.
 */
export async function coverageOfChannels(em: SqlEntityManager, account: Account, channelIds: string[]): Promise<Map<string, CoverageMap>> {
  const bindings = channelIds.length ? await em.find(ChannelBinding, { tenantId: account.tenantId, channelId: { $in: channelIds } }) : [];
  const byChannel = new Map<string, ChannelBinding[]>();
  for (const b of bindings) byChannel.set(b.channelId, [...(byChannel.get(b.channelId) ?? []), b]);
  const { resources, defaults } = await resourcesFor(em, account, bindings);
  const out = new Map<string, CoverageMap>();
  for (const id of channelIds) out.set(id, assemble(byChannel.get(id) ?? [], resources, defaults));
  return out;
}

/**
 * Coverage of a device, for what it reports without a channel: per type, the best of its
 * channels' bindings (one allowed now, if any), else the tenant's default.
 */
export async function coverageOfDevice(em: SqlEntityManager, account: Account, deviceId: string, nowMs: number): Promise<CoverageMap> {
  const bindings = await em.find(ChannelBinding, { tenantId: account.tenantId, deviceId }, { orderBy: { id: 'asc' } });
  const { resources, defaults } = await resourcesFor(em, account, bindings);
  const best = new Map<ResourceType, ChannelBinding>();
  for (const b of bindings) {
    const r = resources.get(b.resourceId);
    if (!r) continue;
    const current = best.get(b.resourceType);
    const ok = (x: ChannelBinding) =>
      refusalOf({ deviceId }, account.state, toCoverage(resources.get(x.resourceId)!, CoverageSource.BINDING), x.resourceType, nowMs) === null;
    if (!current || (!ok(current) && ok(b))) best.set(b.resourceType, b);
  }
  return assemble([...best.values()], resources, defaults);
}

async function resourcesFor(em: SqlEntityManager, account: Account, bindings: ChannelBinding[]) {
  const ids = [...new Set(bindings.map((b) => b.resourceId))];
  const open = defaultOpenOf(account);
  const list = await em.find(ResourcePackage, {
    tenantId: account.tenantId,
    $or: [{ id: { $in: ids } }, ...(open.length ? [{ onDemandKey: { $in: open.map((t) => `${account.tenantId}:${t}`) } }] : [])],
  });
  const resources = new Map(list.map((r) => [r.id, r]));
  const defaults = new Map<ResourceType, ResourcePackage>();
  for (const r of list) if (r.onDemandKey && open.includes(r.resourceType)) defaults.set(r.resourceType, r);
  return { resources, defaults };
}

function assemble(bindings: ChannelBinding[], resources: Map<string, ResourcePackage>, defaults: Map<ResourceType, ResourcePackage>): CoverageMap {
  const map: CoverageMap = new Map();
  for (const b of bindings) {
    const resource = resources.get(b.resourceId);
    if (resource) map.set(b.resourceType, { resourceType: b.resourceType, resource, binding: b, source: CoverageSource.BINDING });
  }
  for (const [type, resource] of defaults) {
    if (!map.has(type)) map.set(type, { resourceType: type, resource, binding: null, source: CoverageSource.DEFAULT });
  }
  return map;
}

/** A resource as the platform's checkers see it. */
export function toCoverage(r: ResourcePackage, source: CoverageSource, binding?: ChannelBinding | null): Coverage {
  return {
    resourceId: r.id,
    mode: r.mode,
    source,
    state: r.storedState === 'EXPIRED' ? 'EXPIRED' : 'NORMAL',
    expiresAt: r.expiresAt ? r.expiresAt.getTime() : null,
    storageDays: binding?.storageDays ?? r.storageDays,
  };
}

export function snapshotOf(account: Account, coverage: CoverageMap): EntitlementSnapshot {
  const out: EntitlementSnapshot = { tenantId: account.tenantId, account: { state: account.state }, coverage: {} };
  for (const [type, c] of coverage) out.coverage[type] = toCoverage(c.resource, c.source, c.binding);
  return out;
}
