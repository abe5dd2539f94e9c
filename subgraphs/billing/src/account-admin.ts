import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  ArgusError, ErrorCode, badInput, requireTenant,
  type Bus, type CallerContext, type ConnectionShape, type Logger, type PageArgs,
} from '@argus/platform';
import { Account } from './entities/account.js';
import { BillingOrder } from './entities/order.js';
import { Price } from './entities/price.js';
import { OrderKind, PackageMode, PriceUnit, ResourceType } from './enums.js';
import { actorOf, checkClientRequestId, checkNote } from './rules.js';
import { moneyInput } from './money.js';
import { checkPriceLine } from './pricing.js';
import { runIdempotent } from './idempotency.js';
import { pageOf } from './pagination.js';
import { announceEntitlementChange } from './announce.js';
import { defaultOpenOf, type Accounts, type AccountTransition, type Clock } from './accounts.js';

/** Resource types an operator may open for every channel (RECORD and MOTION need storage days per channel). */
const OPENABLE: ReadonlySet<ResourceType> = new Set([ResourceType.MANAGE, ResourceType.DATAFLOW, ResourceType.TALK]);

function requireAdmin(caller: CallerContext): void {
  if (caller.role !== 'ADMIN') throw new ArgusError(ErrorCode.FORBIDDEN, 'only the admin app may change credit, account settings and prices');
}

/** The tenant an account operation is about: the admin names it; a tenant app sees only its own. */
function accountTenant(caller: CallerContext, tenantId: string | null | undefined): string {
  if (caller.role === 'ADMIN' && tenantId) return tenantId;
  const own = requireTenant(caller);
  if (tenantId && tenantId !== own) throw new ArgusError(ErrorCode.FORBIDDEN, 'a tenant app sees its own account only');
  return own;
}

/** Accounts as the API shows them, the operator's changes to them, order history and the price table. */
export class AccountAdmin {
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

  async account(caller: CallerContext, tenantId?: string | null): Promise<Account> {
    const id = accountTenant(caller, tenantId);
    await this.accounts.ensure(id);
    return this.accounts.get(this.em(), id);
  }

  /** adjustCredit (admin): adds (or, negative, takes) credit; the state follows (ARREARS below zero). */
  async adjustCredit(caller: CallerContext, input: { clientRequestId: string; tenantId: string; amount: string; note?: string | null }): Promise<Account> {
    requireAdmin(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    if (typeof input.tenantId !== 'string' || !input.tenantId || input.tenantId.length > 40) throw badInput('tenantId', 'must name a tenant');
    const amount = moneyInput('amount', input.amount);
    if (amount === 0) throw badInput('amount', 'must not be zero');
    const note = checkNote(input.note);
    await this.accounts.ensure(input.tenantId);
    let transition: AccountTransition | null = null;
    const { replayed } = await runIdempotent(
      this.orm,
      { scope: input.tenantId, clientRequestId, operation: 'adjustCredit', input: { amount, note } },
      async (tx) => {
        const changed = await this.accounts.changeCredit(tx, input.tenantId, amount, amount > 0 ? 'credit added' : 'credit taken');
        transition = changed.transition;
        tx.create(BillingOrder, {
          tenantId: input.tenantId,
          kind: OrderKind.CREDIT,
          amountMicros: amount,
          creditAfterMicros: changed.account.creditMicros,
          note,
          clientRequestId,
          createdBy: actorOf(caller),
          createdAt: this.clock(),
          resourceId: null, resourceType: null, mode: null, quantity: null, months: null, storageDays: null,
        });
        await tx.flush();
        return { tenantId: input.tenantId };
      },
    );
    if (!replayed) await this.accounts.announce(transition);
    return this.accounts.get(this.em(), input.tenantId);
  }

  /** updateBillingAccount (admin): suspends / restores the account, changes which services every channel gets by default. */
  async update(
    caller: CallerContext,
    input: { clientRequestId: string; tenantId: string; suspended?: boolean | null; defaultOpen?: ResourceType[] | null },
  ): Promise<Account> {
    requireAdmin(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    if (typeof input.tenantId !== 'string' || !input.tenantId || input.tenantId.length > 40) throw badInput('tenantId', 'must name a tenant');
    let defaultOpen: ResourceType[] | null = null;
    if (input.defaultOpen != null) {
      const bad = input.defaultOpen.filter((t) => !OPENABLE.has(t));
      if (bad.length) throw badInput('defaultOpen', `${bad.join(', ')} cannot be open by default: only ${[...OPENABLE].join(', ')}`);
      defaultOpen = Object.values(ResourceType).filter((t) => input.defaultOpen!.includes(t));
    }
    if (input.suspended == null && defaultOpen === null) throw badInput('suspended', 'change something: suspended or defaultOpen');
    await this.accounts.ensure(input.tenantId);
    let transition: AccountTransition | null = null;
    let openChanged = false;
    const { replayed } = await runIdempotent(
      this.orm,
      { scope: input.tenantId, clientRequestId, operation: 'updateBillingAccount', input: { suspended: input.suspended ?? null, defaultOpen } },
      async (tx) => {
        if (defaultOpen !== null) {
          const account = await this.accounts.get(tx, input.tenantId);
          if (defaultOpenOf(account).join(',') !== defaultOpen.join(',')) {
            account.defaultOpenList = defaultOpen.join(',');
            account.updatedAt = this.clock();
            await tx.flush();
            openChanged = true;
          }
        }
        if (input.suspended != null) transition = (await this.accounts.setSuspended(tx, input.tenantId, input.suspended)).transition;
        return { tenantId: input.tenantId };
      },
    );
    if (!replayed) {
      if (openChanged) await announceEntitlementChange(this.bus, this.logger, input.tenantId, 'default services changed');
      await this.accounts.announce(transition);
    }
    return this.accounts.get(this.em(), input.tenantId);
  }

  async orders(caller: CallerContext, filter: { kind?: OrderKind | null; tenantId?: string | null } | null | undefined, page: PageArgs): Promise<ConnectionShape<BillingOrder>> {
    const tenantId = accountTenant(caller, filter?.tenantId);
    const where: Record<string, unknown> = { tenantId };
    if (filter?.kind) where.kind = filter.kind;
    return pageOf(this.em(), BillingOrder, where, { id: 'desc' }, page);
  }

  prices(): Promise<Price[]> {
    return this.em().find(Price, {}, { orderBy: { resourceType: 'asc', mode: 'asc', unit: 'asc' } });
  }

  /** setPrice (admin): the price of one unit of a resource type in a mode; 0 makes it free. */
  async setPrice(caller: CallerContext, input: { clientRequestId: string; resourceType: ResourceType; mode: PackageMode; unit: PriceUnit; price: string }): Promise<Price> {
    requireAdmin(caller);
    const clientRequestId = checkClientRequestId(input.clientRequestId);
    checkPriceLine(input.resourceType, input.mode, input.unit);
    const price = moneyInput('price', input.price, { min: 0 });
    await runIdempotent(
      this.orm,
      { scope: '*', clientRequestId, operation: 'setPrice', input: { ...input, clientRequestId: undefined, price } },
      async (tx) => {
        const key = { resourceType: input.resourceType, mode: input.mode, unit: input.unit };
        const line = (await tx.findOne(Price, key)) ?? tx.create(Price, { ...key, priceMicros: 0, updatedAt: this.clock() });
        line.priceMicros = price;
        line.updatedAt = this.clock();
        await tx.flush();
        return key;
      },
    );
    return this.em().findOneOrFail(Price, { resourceType: input.resourceType, mode: input.mode, unit: input.unit });
  }
}
