import { raw, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  ArgusError, ErrorCode, requireTenant,
  type Bus, type CallerContext, type ChannelDirectory, type Logger,
} from '@argus/platform';
import { ResourcePackage } from './entities/resource-package.js';
import { ChannelBinding } from './entities/channel-binding.js';
import { PackageStatus, ResourceType } from './enums.js';
import { bindRefusal, effectiveStatus, termsOfPurchase, type PurchaseInput } from './rules.js';
import type { Entitlement } from './entitlement.js';

/** Work-queue group releasing the bindings of deleted channels. */
export const BINDINGS_GROUP = 'billing-bindings';
export const BINDING_CREATED_SUBJECT = 'billing.binding.created';
export const BINDING_RELEASED_SUBJECT = 'billing.binding.released';

export interface BindingEvent {
  tenantId: string;
  channelId: string;
  packageId: string;
  resourceType: ResourceType;
  bindingId: string;
}

/**
 * Resource packages and the channels they cover. Quota is counted in the package row
 * (quota_used) and changed only by conditional UPDATEs, so racing binds cannot oversell.
 */
export class BillingService {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly directory: ChannelDirectory,
    private readonly logger: Logger,
  ) {}

  em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /** Releases the bindings of channels that devices deleted (idempotent). */
  async start(): Promise<void> {
    await this.bus.subscribe<{ tenantId: string; channelIds?: string[] }>(
      'device.deleted',
      async (e) => void (await this.releaseChannels(e.data.tenantId, e.data.channelIds ?? [])),
      { group: BINDINGS_GROUP },
    );
    await this.bus.subscribe<{ tenantId: string; channelId: string }>(
      'channel.deleted',
      async (e) => void (await this.releaseChannels(e.data.tenantId, [e.data.channelId])),
      { group: BINDINGS_GROUP },
    );
  }

  async purchase(caller: CallerContext, input: PurchaseInput): Promise<ResourcePackage> {
    const tenantId = requireTenant(caller);
    const terms = termsOfPurchase(input);
    const em = this.em();
    const pkg = em.create(ResourcePackage, {
      tenantId,
      resourceType: terms.resourceType,
      mode: terms.mode,
      quotaTotal: terms.quotaTotal,
      quotaUsed: 0,
      storageDays: terms.storageDays,
      status: PackageStatus.NORMAL,
      startsAt: terms.startsAt,
      expiresAt: terms.expiresAt,
    } as ResourcePackage);
    await em.flush();
    await this.bus.publish('billing.package.purchased', { tenantId, packageId: pkg.id, resourceType: pkg.resourceType, quota: pkg.quotaTotal });
    return pkg;
  }

  async packages(caller: CallerContext, resourceType: ResourceType | null): Promise<ResourcePackage[]> {
    const tenantId = requireTenant(caller);
    return this.em().find(
      ResourcePackage,
      resourceType ? { tenantId, resourceType } : { tenantId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  async packageById(caller: CallerContext, id: string): Promise<ResourcePackage | null> {
    return this.em().findOne(ResourcePackage, caller.tenantId ? { id, tenantId: caller.tenantId } : { id });
  }

  async bind(caller: CallerContext, channelId: string, packageId: string): Promise<ChannelBinding> {
    const tenantId = requireTenant(caller);
    const em = this.em();
    const pkg = await em.findOne(ResourcePackage, { id: packageId, tenantId });
    if (!pkg) throw new ArgusError(ErrorCode.NOT_FOUND, `package ${packageId} does not exist`, { field: 'packageId' });
    const channel = await this.directory.require(caller, channelId);
    if (channel.tenantId !== tenantId) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    const now = new Date();
    await this.refuseSecondBinding(em, channelId, pkg.resourceType);
    const refusal = bindRefusal(pkg, now);
    if (refusal) throw new ArgusError(ErrorCode.QUOTA_EXCEEDED, refusal, { field: 'packageId' });

    let binding: ChannelBinding;
    try {
      binding = await em.transactional(async (tx) => {
        // the only place quota is taken: one row, one condition, so concurrent binds serialise on it
        const taken = await tx
          .createQueryBuilder(ResourcePackage)
          .update({ quotaUsed: raw('quota_used + 1') })
          .where({
            id: pkg.id,
            tenantId,
            status: PackageStatus.NORMAL,
            quotaUsed: { $lt: raw('quota_total') },
            $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
          })
          .execute('run');
        if (!taken.affectedRows) {
          await tx.refresh(pkg);
          throw new ArgusError(ErrorCode.QUOTA_EXCEEDED, bindRefusal(pkg, now) ?? `package ${pkg.id} has no quota left`, { field: 'packageId' });
        }
        const b = tx.create(ChannelBinding, { tenantId, channelId, packageId: pkg.id, resourceType: pkg.resourceType, createdAt: now } as ChannelBinding);
        await tx.flush();
        return b;
      });
    } catch (err) {
      // a concurrent bind of the same channel and type won the unique (channel_id, resource_type)
      if ((err as Error)?.constructor?.name === 'UniqueConstraintViolationException') {
        await this.refuseSecondBinding(this.em(), channelId, pkg.resourceType);
        throw new ArgusError(ErrorCode.CONFLICT, `channel ${channelId} already has a ${pkg.resourceType} package`, { field: 'channelId' });
      }
      throw err;
    }
    await this.bus.publish<BindingEvent>(BINDING_CREATED_SUBJECT, {
      tenantId, channelId, packageId: pkg.id, resourceType: pkg.resourceType, bindingId: binding.id,
    });
    return binding;
  }

  async unbind(caller: CallerContext, channelId: string, resourceType: ResourceType): Promise<ChannelBinding> {
    const tenantId = requireTenant(caller);
    const em = this.em();
    const binding = await em.findOne(ChannelBinding, { tenantId, channelId, resourceType });
    if (!binding || !(await this.release(binding))) {
      throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} has no ${resourceType} package bound`, { field: 'channelId' });
    }
    return binding;
  }

  async releaseChannels(tenantId: string, channelIds: string[]): Promise<number> {
    if (!channelIds.length) return 0;
    const bindings = await this.em().find(ChannelBinding, { tenantId, channelId: { $in: channelIds } });
    let n = 0;
    for (const b of bindings) if (await this.release(b)) n++;
    if (n) this.logger.info({ tenantId, channelIds, bindings: n }, 'released bindings of deleted channels');
    return n;
  }

  /** Entitlements of channels, keyed by channel id; scoped to the caller's tenant when it has one. */
  async entitlementsOf(caller: CallerContext, channelIds: string[]): Promise<Map<string, Entitlement[]>> {
    const em = this.em();
    const bindings = await em.find(
      ChannelBinding,
      caller.tenantId ? { tenantId: caller.tenantId, channelId: { $in: channelIds } } : { channelId: { $in: channelIds } },
      { orderBy: { resourceType: 'asc' } },
    );
    const pkgIds = [...new Set(bindings.map((b) => b.packageId))];
    const packages = new Map((pkgIds.length ? await em.find(ResourcePackage, { id: { $in: pkgIds } }) : []).map((p) => [p.id, p]));
    const now = new Date();
    const out = new Map<string, Entitlement[]>();
    for (const b of bindings) {
      const p = packages.get(b.packageId);
      const list = out.get(b.channelId) ?? [];
      list.push({
        resourceType: b.resourceType,
        packageId: b.packageId,
        boundAt: b.createdAt,
        expiresAt: p?.expiresAt ?? null,
        active: !!p && effectiveStatus(p, now) === PackageStatus.NORMAL,
      });
      out.set(b.channelId, list);
    }
    return out;
  }

  private async refuseSecondBinding(em: SqlEntityManager, channelId: string, resourceType: ResourceType): Promise<void> {
    const existing = await em.findOne(ChannelBinding, { channelId, resourceType });
    if (existing) {
      throw new ArgusError(
        ErrorCode.CONFLICT,
        `channel ${channelId} already has a ${resourceType} package (${existing.packageId}): unbind it first`,
        { field: 'channelId', packageId: existing.packageId },
      );
    }
  }

  /** Deletes a binding and gives its quota back, once: false when someone else already did. */
  private async release(binding: ChannelBinding): Promise<boolean> {
    const released = await this.em().transactional(async (tx) => {
      const deleted = await tx.nativeDelete(ChannelBinding, { id: binding.id });
      if (!deleted) return false;
      await tx
        .createQueryBuilder(ResourcePackage)
        .update({ quotaUsed: raw('quota_used - 1') })
        .where({ id: binding.packageId, quotaUsed: { $gt: 0 } })
        .execute('run');
      return true;
    });
    if (released) {
      await this.bus.publish<BindingEvent>(BINDING_RELEASED_SUBJECT, {
        tenantId: binding.tenantId, channelId: binding.channelId, packageId: binding.packageId,
        resourceType: binding.resourceType, bindingId: binding.id,
      });
    }
    return released;
  }
}
