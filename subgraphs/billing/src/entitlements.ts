import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { refusalOf, requireTenant, type CallerContext, type EntitlementScope, type EntitlementSnapshot } from '@argus/platform';
import { ResourcePackage } from './entities/resource-package.js';
import { Entitlement } from './entitlement.js';
import { PackageMode, ResourceState, ResourceType } from './enums.js';
import { coverageOfChannels, coverageOfDevice, snapshotOf, toCoverage } from './coverage.js';
import { defaultOpenOf, type Accounts, type Clock } from './accounts.js';
import { resourceState } from './rules.js';

/** Per resource type: what the tenant's packages hold and use, and how many channels use it on demand. */
export interface ServiceQuota {
  resourceType: ResourceType;
  /** Channels the tenant's packages of this type can cover (NORMAL packages only). */
  packageTotal: number;
  packageUsed: number;
  packageAvailable: number;
  /** Channels bound to the on-demand resource of this type. */
  onDemandBound: number;
  /** Whether every channel gets this type on demand without a binding. */
  openByDefault: boolean;
}

/** What channels are entitled to: the answer billing gives checkers and Channel.entitlements. */
export class EntitlementQueries {
  constructor(
    private readonly orm: MikroORM,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
  ) {}

  private em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /** What a checker caches for one channel (or device). */
  async snapshot(tenantId: string, scope: EntitlementScope): Promise<EntitlementSnapshot> {
    await this.accounts.ensure(tenantId);
    const em = this.em();
    const account = await this.accounts.get(em, tenantId);
    const coverage =
      'channelId' in scope
        ? (await coverageOfChannels(em, account, [scope.channelId])).get(scope.channelId)!
        : await coverageOfDevice(em, account, scope.deviceId, this.clock().getTime());
    return snapshotOf(account, coverage);
  }

  /** What a checker caches for several channels (and devices) of one tenant: one account read, one coverage query for the channels. */
  async snapshots(tenantId: string, scopes: readonly EntitlementScope[]): Promise<EntitlementSnapshot[]> {
    await this.accounts.ensure(tenantId);
    const em = this.em();
    const account = await this.accounts.get(em, tenantId);
    const channelIds = [...new Set(scopes.flatMap((s) => ('channelId' in s ? [s.channelId] : [])))];
    const channels = channelIds.length ? await coverageOfChannels(em, account, channelIds) : new Map();
    const out: EntitlementSnapshot[] = [];
    for (const scope of scopes) {
      const coverage = 'channelId' in scope ? channels.get(scope.channelId)! : await coverageOfDevice(em, account, scope.deviceId, this.clock().getTime());
      out.push(snapshotOf(account, coverage));
    }
    return out;
  }

  /** Channel.entitlements for many channels of the caller's tenant in one pass. */
  async entitlementsOf(caller: CallerContext, channelIds: string[]): Promise<Map<string, Entitlement[]>> {
    const out = new Map<string, Entitlement[]>();
    if (!caller.tenantId) return out;
    await this.accounts.ensure(caller.tenantId);
    const em = this.em();
    const account = await this.accounts.get(em, caller.tenantId);
    const now = this.clock();
    const coverage = await coverageOfChannels(em, account, channelIds);
    for (const [channelId, map] of coverage) {
      const list: Entitlement[] = [];
      for (const type of Object.values(ResourceType)) {
        const c = map.get(type);
        if (!c) continue;
        const refusal = refusalOf({ channelId }, account.state, toCoverage(c.resource, c.source, c.binding), type, now.getTime());
        list.push({
          resourceType: type,
          packageId: c.resource.id,
          mode: c.resource.mode,
          source: c.source,
          state: resourceState(c.resource, account.state, now),
          storageDays: c.binding?.storageDays ?? c.resource.storageDays,
          boundAt: c.binding?.createdAt ?? null,
          expiresAt: c.resource.expiresAt,
          active: refusal === null,
          refusal: refusal?.code ?? null,
        });
      }
      out.set(channelId, list);
    }
    return out;
  }

  /** serviceQuotas: the tenant's order quota per resource type (total / used / available). */
  async quotas(caller: CallerContext): Promise<ServiceQuota[]> {
    const tenantId = requireTenant(caller);
    await this.accounts.ensure(tenantId);
    const em = this.em();
    const account = await this.accounts.get(em, tenantId);
    const now = this.clock();
    const resources = await em.find(ResourcePackage, { tenantId });
    const open = defaultOpenOf(account);
    return Object.values(ResourceType).map((type) => {
      const mine = resources.filter((r) => r.resourceType === type);
      const usable = mine.filter((r) => r.mode === PackageMode.PACKAGE && resourceState(r, account.state, now) === ResourceState.NORMAL);
      const total = usable.reduce((n, r) => n + (r.quotaTotal ?? 0), 0);
      const used = usable.reduce((n, r) => n + r.quotaUsed, 0);
      return {
        resourceType: type,
        packageTotal: total,
        packageUsed: used,
        packageAvailable: total - used,
        onDemandBound: mine.find((r) => r.mode === PackageMode.ON_DEMAND)?.quotaUsed ?? 0,
        openByDefault: open.includes(type),
      };
    });
  }
}
