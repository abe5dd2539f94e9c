import { raw, UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  ArgusError, ErrorCode, notFound, requireTenant,
  type Bus, type CallerContext, type ChannelInfo, type ConnectionShape, type Logger, type PageArgs,
} from '@argus/platform';
import { ChannelBinding } from './entities/channel-binding.js';
import { ResourcePackage } from './entities/resource-package.js';
import { ResourceType, type AccountState } from './enums.js';
import { bindRefusal, bindingStorageDays, checkChannelIds, checkClientRequestId } from './rules.js';
import { runIdempotent } from './idempotency.js';
import { pageOf } from './pagination.js';
import { announceEntitlementChange } from './announce.js';
import type { Accounts, Clock } from './accounts.js';

/** What billing needs of the devices subgraph: does the caller see this channel, and whose device is it. */
export interface ChannelLookup {
  lookup(caller: CallerContext, channelId: string): Promise<ChannelInfo | null>;
}

/** A binding as stored in a request's result (JSON), so a retry answers the same. */
export interface BindingView {
  id: string;
  tenantId: string;
  channelId: string;
  deviceId: string | null;
  resourceId: string;
  resourceType: ResourceType;
  storageDays: number | null;
  createdAt: string;
  updatedAt: string;
}

/** Outcome for one channel of a batch (as the northbound batch APIs: a code per channel). */
export interface ChannelOutcome {
  channelId: string;
  ok: boolean;
  /** OK, or the error code. */
  code: string;
  message: string;
  binding: BindingView | null;
}

export interface BatchOutcome {
  failedCount: number;
  channels: ChannelOutcome[];
}

export interface BindingFilter {
  packageId?: string | null;
  resourceType?: ResourceType | null;
  channelId?: string | null;
  deviceId?: string | null;
}

const viewOf = (b: ChannelBinding): BindingView => ({
  id: b.id,
  tenantId: b.tenantId,
  channelId: b.channelId,
  deviceId: b.deviceId,
  resourceId: b.resourceId,
  resourceType: b.resourceType,
  storageDays: b.storageDays,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

const ok = (channelId: string, binding: BindingView | null, message: string): ChannelOutcome => ({ channelId, ok: true, code: 'OK', message, binding });
const failed = (channelId: string, code: string, message: string): ChannelOutcome => ({ channelId, ok: false, code, message, binding: null });

/** Thrown inside one channel's savepoint to undo only that channel. */
class ItemRefused extends Error {
  constructor(readonly outcome: ChannelOutcome) {
    super(outcome.message);
  }
}

/**
 * Opening and closing services per channel. Quota is taken and given back only by conditional
 * UPDATEs on the resource row (one row, one condition), so concurrent binds serialise on it and
 * never oversell; each channel of a batch runs in its own savepoint, so one refusal does not undo
 * the others; the whole batch is one idempotent request.
 */
export class Bindings {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly channels: ChannelLookup,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /**
   * bindChannels: opens the resource's service for each channel. A channel already bound to
   * another resource of the type moves to this one (its quota moves too); binding to the
   * resource it already has is a CONFLICT for that channel.
   */
  async bind(
    caller: CallerContext,
    input: { clientRequestId: string; packageId: string; channelIds: string[]; storageDays?: number | null },
  ): Promise<BatchOutcome> {
    const tenantId = requireTenant(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    const channelIds = checkChannelIds(input.channelIds);
    const resource = await this.em().findOne(ResourcePackage, { id: input.packageId, tenantId });
    if (!resource) throw new ArgusError(ErrorCode.NOT_FOUND, `package ${input.packageId} does not exist`, { field: 'packageId' });
    const storageDays = bindingStorageDays(resource, input.storageDays);
    const known = await this.lookupAll(caller, tenantId, channelIds);
    await this.accounts.ensure(tenantId);
    const { result, replayed } = await runIdempotent(
      this.orm,
      {
        scope: tenantId, clientRequestId, operation: 'bindChannels',
        input: { packageId: resource.id, channelIds, storageDays },
      },
      async (tx) => {
        const outcomes: ChannelOutcome[] = [];
        const account = (await this.accounts.get(tx, tenantId)).state;
        for (const channelId of channelIds) {
          const info = known.get(channelId);
          if (!info) {
            outcomes.push(failed(channelId, ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`));
            continue;
          }
          try {
            outcomes.push(await tx.transactional((sp) => this.bindOne(sp as SqlEntityManager, tenantId, account, info, resource.id, storageDays)));
          } catch (err) {
            if (err instanceof ItemRefused) outcomes.push(err.outcome);
            else if (err instanceof UniqueConstraintViolationException) {
              outcomes.push(failed(channelId, ErrorCode.CONFLICT, `channel ${channelId} was bound to another ${resource.resourceType} resource at the same time; try again`));
            } else throw err;
          }
        }
        return { failedCount: outcomes.filter((o) => !o.ok).length, channels: outcomes };
      },
    );
    if (!replayed) {
      await announceEntitlementChange(this.bus, this.logger, tenantId, 'channels bound', result.channels.filter((c) => c.ok).map((c) => c.channelId));
    }
    return result;
  }

  private async bindOne(
    sp: SqlEntityManager, tenantId: string, account: AccountState, channel: ChannelInfo, resourceId: string, storageDays: number | null,
  ): Promise<ChannelOutcome> {
    const now = this.clock();
    const resource = await sp.findOneOrFail(ResourcePackage, { id: resourceId }, { refresh: true });
    const existing = await sp.findOne(ChannelBinding, { channelId: channel.id, resourceType: resource.resourceType }, { refresh: true });
    if (existing && existing.tenantId !== tenantId) {
      throw new ItemRefused(failed(channel.id, ErrorCode.NOT_FOUND, `channel ${channel.id} does not exist`));
    }
    if (existing && existing.resourceId === resource.id) {
      if (resource.mode === 'ON_DEMAND' && storageDays !== existing.storageDays) {
        existing.storageDays = storageDays;
        existing.updatedAt = now;
        await sp.flush();
        return ok(channel.id, viewOf(existing), `storage days changed to ${storageDays ?? 'the default'}`);
      }
      throw new ItemRefused(failed(channel.id, ErrorCode.CONFLICT, `channel ${channel.id} is already bound to ${resource.id}`));
    }
    const refusal = bindRefusal(resource, account, now);
    if (refusal) throw new ItemRefused(failed(channel.id, refusal.code, refusal.message));
    // the binding row first: its unique (channel, type) settles racing binds of one channel before
    // the package row is locked, so the lock is held for as few statements as possible
    const from = existing?.resourceId ?? null;
    let binding: ChannelBinding;
    if (existing) {
      existing.resourceId = resource.id;
      existing.storageDays = storageDays;
      existing.deviceId = channel.deviceId;
      existing.updatedAt = now;
      binding = existing;
    } else {
      binding = sp.create(ChannelBinding, {
        tenantId, channelId: channel.id, deviceId: channel.deviceId, resourceId: resource.id, resourceType: resource.resourceType,
        storageDays, createdAt: now, updatedAt: now,
      });
    }
    await sp.flush();
    // a move locks two resource rows: always in id order, so two opposite moves cannot deadlock
    if (from && from < resource.id) await this.giveBack(sp, from, now);
    const taken = await sp
      .createQueryBuilder(ResourcePackage)
      .update({ quotaUsed: raw('quota_used + 1'), updatedAt: now })
      .where({
        id: resource.id,
        tenantId,
        storedState: 'NORMAL',
        $and: [
          { $or: [{ quotaTotal: null }, { quotaUsed: { $lt: raw('quota_total') } }] },
          { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
        ],
      })
      .execute('run');
    if (!taken.affectedRows) {
      const fresh = await sp.findOneOrFail(ResourcePackage, { id: resource.id }, { refresh: true });
      const why = bindRefusal(fresh, account, now) ?? { code: 'QUOTA_EXCEEDED' as const, message: `package ${resource.id} has no quota left` };
      throw new ItemRefused(failed(channel.id, why.code, why.message)); // the savepoint undoes the binding row
    }
    if (from && from > resource.id) await this.giveBack(sp, from, now);
    return ok(channel.id, viewOf(binding), from ? `moved from ${from} to ${resource.id}` : `bound to ${resource.id}`);
  }

  /** unbindChannels: closes one service type for each channel; a channel without it is fine (nothing to do). */
  async unbind(caller: CallerContext, input: { clientRequestId: string; resourceType: ResourceType; channelIds: string[] }): Promise<BatchOutcome> {
    const tenantId = requireTenant(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    const channelIds = checkChannelIds(input.channelIds);
    if (!Object.values(ResourceType).includes(input.resourceType)) {
      throw new ArgusError(ErrorCode.BAD_USER_INPUT, `resourceType: must be one of ${Object.values(ResourceType).join(', ')}`, { field: 'resourceType' });
    }
    const { result, replayed } = await runIdempotent(
      this.orm,
      { scope: tenantId, clientRequestId, operation: 'unbindChannels', input: { resourceType: input.resourceType, channelIds } },
      async (tx) => {
        const now = this.clock();
        const outcomes: ChannelOutcome[] = [];
        for (const channelId of channelIds) {
          const binding = await tx.findOne(ChannelBinding, { tenantId, channelId, resourceType: input.resourceType });
          if (!binding) {
            outcomes.push(ok(channelId, null, `channel ${channelId} had no ${input.resourceType} resource`));
            continue;
          }
          const view = viewOf(binding);
          await this.releaseIn(tx, binding, now);
          outcomes.push(ok(channelId, view, `released from ${binding.resourceId}`));
        }
        return { failedCount: 0, channels: outcomes };
      },
    );
    if (!replayed) {
      await announceEntitlementChange(this.bus, this.logger, tenantId, 'channels unbound', result.channels.filter((c) => c.binding).map((c) => c.channelId));
    }
    return result;
  }

  /** Releases the bindings of deleted channels (idempotent: a redelivery finds nothing). */
  async releaseChannels(tenantId: string, channelIds: string[]): Promise<number> {
    if (!channelIds.length) return 0;
    const released = await this.em().transactional(async (tx) => {
      const now = this.clock();
      const list = await tx.find(ChannelBinding, { tenantId, channelId: { $in: channelIds } });
      let n = 0;
      for (const b of list) if (await this.releaseIn(tx as SqlEntityManager, b, now)) n++;
      return n;
    });
    if (released) {
      this.logger.info({ tenantId, channelIds, bindings: released }, 'released the bindings of deleted channels');
      await announceEntitlementChange(this.bus, this.logger, tenantId, 'channels deleted', channelIds);
    }
    return released;
  }

  async list(caller: CallerContext, filter: BindingFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ChannelBinding>> {
    const tenantId = requireTenant(caller);
    const where: Record<string, unknown> = { tenantId };
    if (filter?.packageId) {
      if (!(await this.em().findOne(ResourcePackage, { id: filter.packageId, tenantId }))) throw notFound('package', filter.packageId);
      where.resourceId = filter.packageId;
    }
    if (filter?.resourceType) where.resourceType = filter.resourceType;
    if (filter?.channelId) where.channelId = filter.channelId;
    if (filter?.deviceId) where.deviceId = filter.deviceId;
    return pageOf(this.em(), ChannelBinding, where, { id: 'desc' }, page);
  }

  /** Deletes a binding and gives its quota back, once: false when someone else already did. */
  private async releaseIn(tx: SqlEntityManager, binding: ChannelBinding, now: Date): Promise<boolean> {
    const deleted = await tx.nativeDelete(ChannelBinding, { id: binding.id });
    if (!deleted) return false;
    await this.giveBack(tx, binding.resourceId, now);
    return true;
  }

  private async giveBack(tx: SqlEntityManager, resourceId: string, now: Date): Promise<void> {
    await tx
      .createQueryBuilder(ResourcePackage)
      .update({ quotaUsed: raw('quota_used - 1'), updatedAt: now })
      .where({ id: resourceId, quotaUsed: { $gt: 0 } })
      .execute('run');
  }

  /** The caller's view of each channel (devices applies its tenant rules), a few at a time. */
  private async lookupAll(caller: CallerContext, tenantId: string, channelIds: string[]): Promise<Map<string, ChannelInfo>> {
    const found = new Map<string, ChannelInfo>();
    let next = 0;
    const worker = async () => {
      while (next < channelIds.length) {
        const id = channelIds[next++]!;
        const info = await this.channels.lookup(caller, id);
        if (info && info.tenantId === tenantId) found.set(id, info);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, channelIds.length) }, worker));
    return found;
  }
}
