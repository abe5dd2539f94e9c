import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  badInput, notFound, requireTenant,
  type Bus, type CallerContext, type ConnectionShape, type Logger, type PageArgs,
} from '@argus/platform';
import { announceEntitlementChange } from './announce.js';
import { ResourcePackage } from './entities/resource-package.js';
import { BillingOrder } from './entities/order.js';
import { Price } from './entities/price.js';
import { AccountState, OrderKind, PackageMode, PriceUnit, ResourceState, ResourceType } from './enums.js';
import { actorOf, addMonths, checkClientRequestId, checkRenewMonths, termsOfPurchase, type PurchaseInput } from './rules.js';
import { runIdempotent } from './idempotency.js';
import { pageOf } from './pagination.js';
import type { Accounts, Clock } from './accounts.js';

export interface PackageFilter {
  resourceType?: ResourceType | null;
  mode?: PackageMode | null;
  state?: ResourceState | null;
}

/** Price of one unit, micros (0 without a price line). */
export async function priceOf(em: SqlEntityManager, resourceType: ResourceType, mode: PackageMode, unit: PriceUnit): Promise<number> {
  const line = await em.findOne(Price, { resourceType, mode, unit });
  return line?.priceMicros ?? 0;
}

/** Buying and renewing packages, and listing the tenant's resources. */
export class Packages {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly accounts: Accounts,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  /** purchasePackage: validates, takes the price from the credit, creates the package and an order. */
  async purchase(caller: CallerContext, input: PurchaseInput & { clientRequestId: string }): Promise<ResourcePackage> {
    const tenantId = requireTenant(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    const now = this.clock();
    const terms = termsOfPurchase(input, now);
    await this.accounts.ensure(tenantId);
    const { result } = await runIdempotent(
      this.orm,
      { scope: tenantId, clientRequestId, operation: 'purchasePackage', input: { ...input, clientRequestId: undefined } },
      async (tx) => {
        const unitPrice = await priceOf(tx, terms.resourceType, PackageMode.PACKAGE, PriceUnit.CHANNEL_MONTH);
        const cost = unitPrice * terms.quotaTotal * terms.months;
        const account = await this.accounts.pay(tx, tenantId, cost);
        const pkg = tx.create(ResourcePackage, {
          tenantId,
          resourceType: terms.resourceType,
          mode: PackageMode.PACKAGE,
          name: terms.name,
          quotaTotal: terms.quotaTotal,
          quotaUsed: 0,
          storageDays: terms.storageDays,
          storedState: 'NORMAL',
          startsAt: terms.startsAt,
          expiresAt: terms.expiresAt,
          onDemandKey: null,
          createdAt: now,
          updatedAt: now,
        });
        tx.create(BillingOrder, {
          tenantId,
          kind: OrderKind.PURCHASE,
          resourceId: pkg.id,
          resourceType: terms.resourceType,
          mode: PackageMode.PACKAGE,
          quantity: terms.quotaTotal,
          months: terms.months,
          storageDays: terms.storageDays,
          amountMicros: -cost,
          creditAfterMicros: account.creditMicros,
          note: null,
          clientRequestId,
          createdBy: actorOf(caller),
          createdAt: now,
        });
        await tx.flush();
        return { packageId: pkg.id };
      },
    );
    return this.em().findOneOrFail(ResourcePackage, { id: result.packageId });
  }

  /** renewPackage: extends the term from its end (or from now, once expired) and brings it back to NORMAL. */
  async renew(caller: CallerContext, input: { clientRequestId: string; packageId: string; months: number }): Promise<ResourcePackage> {
    const tenantId = requireTenant(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    const months = checkRenewMonths(input.months);
    const existing = await this.em().findOne(ResourcePackage, { id: input.packageId, tenantId });
    if (!existing) throw notFound('package', input.packageId);
    if (existing.mode !== PackageMode.PACKAGE) throw badInput('packageId', 'an ON_DEMAND resource has no term to renew');
    await this.accounts.ensure(tenantId);
    const { result, replayed } = await runIdempotent(
      this.orm,
      { scope: tenantId, clientRequestId, operation: 'renewPackage', input: { packageId: input.packageId, months } },
      async (tx) => {
        const now = this.clock();
        const pkg = await tx.findOneOrFail(ResourcePackage, { id: input.packageId, tenantId }, { refresh: true });
        const unitPrice = await priceOf(tx, pkg.resourceType, PackageMode.PACKAGE, PriceUnit.CHANNEL_MONTH);
        const cost = unitPrice * (pkg.quotaTotal ?? 0) * months;
        const account = await this.accounts.pay(tx, tenantId, cost);
        const from = pkg.expiresAt && pkg.expiresAt.getTime() > now.getTime() ? pkg.expiresAt : now;
        pkg.expiresAt = addMonths(from, months);
        pkg.storedState = 'NORMAL';
        pkg.updatedAt = now;
        tx.create(BillingOrder, {
          tenantId,
          kind: OrderKind.RENEW,
          resourceId: pkg.id,
          resourceType: pkg.resourceType,
          mode: PackageMode.PACKAGE,
          quantity: pkg.quotaTotal,
          months,
          storageDays: pkg.storageDays,
          amountMicros: -cost,
          creditAfterMicros: account.creditMicros,
          note: null,
          clientRequestId,
          createdBy: actorOf(caller),
          createdAt: now,
        });
        await tx.flush();
        return { packageId: pkg.id };
      },
    );
    if (!replayed) await announceEntitlementChange(this.bus, this.logger, tenantId, 'package renewed');
    return this.em().findOneOrFail(ResourcePackage, { id: result.packageId });
  }

  async list(caller: CallerContext, filter: PackageFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<ResourcePackage>> {
    const tenantId = requireTenant(caller);
    const now = this.clock();
    const where: Record<string, unknown> = { tenantId };
    if (filter?.resourceType) where.resourceType = filter.resourceType;
    if (filter?.mode) where.mode = filter.mode;
    await this.accounts.ensure(tenantId);
    if (filter?.state) {
      // ARREARS and UNAVAILABLE are the account's: one state for the tenant, applied by mode
      const account = await this.accounts.get(this.em(), tenantId);
      const s = filter.state;
      const none = () => (where.id = { $in: [] });
      if (account.state === AccountState.UNAVAILABLE || s === ResourceState.UNAVAILABLE) {
        if (account.state !== AccountState.UNAVAILABLE || s !== ResourceState.UNAVAILABLE) none();
      } else if (s === ResourceState.EXPIRED) {
        where.$or = [{ storedState: 'EXPIRED' }, { expiresAt: { $lte: now } }];
      } else if (s === ResourceState.ARREARS) {
        if (account.state === AccountState.ARREARS) where.mode = PackageMode.ON_DEMAND;
        else none();
      } else {
        where.storedState = 'NORMAL';
        where.$or = [{ expiresAt: null }, { expiresAt: { $gt: now } }];
        if (account.state === AccountState.ARREARS) where.mode = PackageMode.PACKAGE;
      }
    }
    return pageOf(this.em(), ResourcePackage, where, { id: 'desc' }, page);
  }

  byId(caller: CallerContext, id: string): Promise<ResourcePackage | null> {
    return this.em().findOne(ResourcePackage, caller.tenantId ? { id, tenantId: caller.tenantId } : { id });
  }
}
