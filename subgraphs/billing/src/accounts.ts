import { raw, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import {
  ACCOUNT_STATE_SUBJECT, ArgusError, ErrorCode, RESOURCE_TYPES, newId,
  type AccountStateEvent, type Bus, type Logger, type ResourceTypeName,
} from '@argus/platform';
import { Account } from './entities/account.js';
import { ResourcePackage } from './entities/resource-package.js';
import { AccountState, PackageMode, ResourceType } from './enums.js';
import { formatMoney } from './money.js';
import type { BillingConfig } from './billing-config.js';

export type Clock = () => Date;

/** The tenant's one ON_DEMAND resource of a type has this unique key. */
export const onDemandKey = (tenantId: string, type: ResourceType | ResourceTypeName) => `${tenantId}:${type}`;

export function defaultOpenOf(account: Pick<Account, 'defaultOpenList'>): ResourceType[] {
  return account.defaultOpenList ? (account.defaultOpenList.split(',') as ResourceType[]) : [];
}

/** A state change to announce once the transaction that made it has committed. */
export interface AccountTransition {
  tenantId: string;
  from: AccountState;
  to: AccountState;
  creditMicros: number;
  reason: string;
}

/**
 * Billing accounts: created on a tenant's first appearance (identity.tenant.created, or the first
 * billing question about it) with the deployment's defaults and one ON_DEMAND resource per type,
 * as a cloud video platform creates its on-demand resources with the enterprise.
 */
export class Accounts {
  private readonly known = new Set<string>();

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly config: BillingConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Creates the tenant's account and on-demand resources unless they exist (idempotent, also under
   * concurrency). Call it before a transaction that reads the account: it commits on its own.
   */
  async ensure(tenantId: string): Promise<void> {
    if (this.known.has(tenantId)) return;
    const em = this.orm.em.fork() as SqlEntityManager;
    {
      const now = this.clock();
      await em
        .createQueryBuilder(Account)
        .insert({
          tenantId,
          creditMicros: this.config.startingCreditMicros,
          state: AccountState.NORMAL,
          defaultOpenList: this.config.defaultOpen.join(','),
          createdAt: now,
          updatedAt: now,
        })
        .onConflict('tenantId')
        .ignore()
        .execute('run');
      for (const type of RESOURCE_TYPES) {
        await em
          .createQueryBuilder(ResourcePackage)
          .insert({
            id: newId('res'),
            tenantId,
            resourceType: type as ResourceType,
            mode: PackageMode.ON_DEMAND,
            name: `${type} on demand`,
            quotaTotal: null,
            quotaUsed: 0,
            storageDays: null,
            storedState: 'NORMAL',
            startsAt: now,
            expiresAt: null,
            onDemandKey: onDemandKey(tenantId, type),
            createdAt: now,
            updatedAt: now,
          })
          .onConflict('onDemandKey')
          .ignore()
          .execute('run');
      }
      this.known.add(tenantId);
    }
  }

  /** The account as the transaction sees it now (after `ensure`). */
  async get(em: SqlEntityManager, tenantId: string): Promise<Account> {
    const account = await em.findOne(Account, { tenantId }, { refresh: true });
    if (!account) throw new ArgusError(ErrorCode.INTERNAL, `billing account of ${tenantId} is missing`);
    return account;
  }

  /** The ON_DEMAND resources of a tenant by type (they exist once `ensure` ran). */
  async onDemand(em: SqlEntityManager, tenantId: string): Promise<Map<ResourceType, ResourcePackage>> {
    const list = await em.find(ResourcePackage, { tenantId, mode: PackageMode.ON_DEMAND });
    return new Map(list.map((r) => [r.resourceType, r]));
  }

  /**
   * Adds `deltaMicros` (negative: a charge) to the credit and moves the state with it:
   * NORMAL → ARREARS below zero, ARREARS → NORMAL at zero or above. A suspended account stays so.
   */
  async changeCredit(em: SqlEntityManager, tenantId: string, deltaMicros: number, reason: string): Promise<{ account: Account; transition: AccountTransition | null }> {
    const now = this.clock();
    if (deltaMicros !== 0) {
      await em
        .createQueryBuilder(Account)
        .update({ creditMicros: raw(`credit_micros + ${Math.trunc(deltaMicros)}`), updatedAt: now })
        .where({ tenantId })
        .execute('run');
    }
    const account = await em.findOneOrFail(Account, { tenantId }, { refresh: true });
    const target = account.state === AccountState.UNAVAILABLE ? account.state : account.creditMicros < 0 ? AccountState.ARREARS : AccountState.NORMAL;
    if (target === account.state) return { account, transition: null };
    const moved = await em
      .createQueryBuilder(Account)
      .update({ state: target, updatedAt: now })
      .where({ tenantId, state: account.state })
      .execute('run');
    if (!moved.affectedRows) return { account: await em.findOneOrFail(Account, { tenantId }, { refresh: true }), transition: null };
    const from = account.state;
    account.state = target;
    return { account, transition: { tenantId, from, to: target, creditMicros: account.creditMicros, reason } };
  }

  /**
   * Takes `costMicros` for a purchase, or refuses: ACCOUNT_SUSPENDED, ACCOUNT_IN_ARREARS, or
   * INSUFFICIENT_CREDIT when the credit does not cover it. Nothing is taken on refusal.
   */
  async pay(em: SqlEntityManager, tenantId: string, costMicros: number): Promise<Account> {
    const account = await this.get(em, tenantId);
    if (account.state === AccountState.UNAVAILABLE) throw new ArgusError(ErrorCode.ACCOUNT_SUSPENDED, 'the account is suspended: contact the operator');
    if (costMicros === 0) return account;
    if (account.state === AccountState.ARREARS) {
      throw new ArgusError(ErrorCode.ACCOUNT_IN_ARREARS, `the credit has run out (${formatMoney(account.creditMicros)}): restore credit before buying`);
    }
    const taken = await em
      .createQueryBuilder(Account)
      .update({ creditMicros: raw(`credit_micros - ${Math.trunc(costMicros)}`), updatedAt: this.clock() })
      .where({ tenantId, state: AccountState.NORMAL, creditMicros: { $gte: costMicros } })
      .execute('run');
    if (!taken.affectedRows) {
      const now = await em.findOneOrFail(Account, { tenantId }, { refresh: true });
      throw new ArgusError(
        ErrorCode.INSUFFICIENT_CREDIT,
        `this costs ${formatMoney(costMicros)} and the credit is ${formatMoney(now.creditMicros)}`,
        { cost: formatMoney(costMicros), credit: formatMoney(now.creditMicros) },
      );
    }
    return em.findOneOrFail(Account, { tenantId }, { refresh: true });
  }

  /** Suspends or restores an account; restoring lands in NORMAL or ARREARS by its credit. */
  async setSuspended(em: SqlEntityManager, tenantId: string, suspended: boolean): Promise<{ account: Account; transition: AccountTransition | null }> {
    const account = await this.get(em, tenantId);
    const target = suspended ? AccountState.UNAVAILABLE : account.creditMicros < 0 ? AccountState.ARREARS : AccountState.NORMAL;
    if (target === account.state) return { account, transition: null };
    const from = account.state;
    await em.createQueryBuilder(Account).update({ state: target, updatedAt: this.clock() }).where({ tenantId }).execute('run');
    account.state = target;
    return { account, transition: { tenantId, from, to: target, creditMicros: account.creditMicros, reason: suspended ? 'suspended' : 'restored' } };
  }

  /** Tells every checker (after commit). */
  async announce(transition: AccountTransition | null): Promise<void> {
    if (!transition) return;
    this.logger.info({ ...transition, credit: formatMoney(transition.creditMicros) }, 'billing account changed state');
    await this.bus
      .publish<AccountStateEvent>(ACCOUNT_STATE_SUBJECT, {
        tenantId: transition.tenantId,
        state: transition.to,
        credit: formatMoney(transition.creditMicros),
        reason: transition.reason,
      })
      .catch((err) => this.logger.error({ err, tenantId: transition.tenantId }, 'could not announce the account state'));
  }
}
