import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../entities/account.js';
import { BillingOrder } from '../entities/order.js';
import { Price } from '../entities/price.js';
import { ResourceType } from '../enums.js';
import { MoneyScalar } from '../money.js';
import { defaultOpenOf } from '../accounts.js';
import type { BillingContext } from '../context.js';
import { PageArgsType, pageOfArgs } from './page-args.js';
import { AdjustCreditInput, BillingOrderConnection, OrderFilter, SetPriceInput, UpdateBillingAccountInput } from './types.js';

@Resolver(() => Account)
export class AccountResolver {
  @FieldResolver(() => MoneyScalar, { description: 'What is left to pay on-demand usage and purchases with; below zero the account is in ARREARS.' })
  credit(@Root() account: Account): number {
    return account.creditMicros;
  }

  @FieldResolver(() => [ResourceType], { description: 'Services every channel gets on demand without a binding.' })
  defaultOpen(@Root() account: Account): ResourceType[] {
    return defaultOpenOf(account);
  }

  @Query(() => Account, { description: "The tenant's billing account (the admin app may name any tenant)." })
  billingAccount(@Ctx() ctx: BillingContext, @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null): Promise<Account> {
    return ctx.billing.admin.account(ctx.caller, tenantId);
  }

  @Mutation(() => Account, { description: 'Admin app: adds or takes credit; restoring credit to zero or above ends ARREARS at once. Idempotent by clientRequestId.' })
  adjustCredit(@Ctx() ctx: BillingContext, @Arg('input', () => AdjustCreditInput) input: AdjustCreditInput): Promise<Account> {
    return ctx.billing.admin.adjustCredit(ctx.caller, input);
  }

  @Mutation(() => Account, { description: "Admin app: suspends / restores a tenant's account or changes its default services. Idempotent by clientRequestId." })
  updateBillingAccount(@Ctx() ctx: BillingContext, @Arg('input', () => UpdateBillingAccountInput) input: UpdateBillingAccountInput): Promise<Account> {
    return ctx.billing.admin.update(ctx.caller, input);
  }
}

@Resolver(() => BillingOrder)
export class OrderResolver {
  @FieldResolver(() => MoneyScalar, { description: 'Change of credit: negative for what was charged, positive for credit added.' })
  amount(@Root() order: BillingOrder): number {
    return order.amountMicros;
  }

  @FieldResolver(() => MoneyScalar)
  creditAfter(@Root() order: BillingOrder): number {
    return order.creditAfterMicros;
  }

  @Query(() => BillingOrderConnection, { description: 'Order history: purchases, renewals and credit changes, newest first.' })
  billingOrders(
    @Ctx() ctx: BillingContext,
    @Arg('filter', () => OrderFilter, { nullable: true }) filter: OrderFilter | null,
    @Args(() => PageArgsType) page: PageArgsType,
  ): Promise<BillingOrderConnection> {
    return ctx.billing.admin.orders(ctx.caller, filter, pageOfArgs(page));
  }
}

@Resolver(() => Price)
export class PriceResolver {
  @FieldResolver(() => MoneyScalar, { description: 'Per unit.' })
  price(@Root() line: Price): number {
    return line.priceMicros;
  }

  @Query(() => [Price], { description: 'The price table. A unit without a line costs nothing.' })
  prices(@Ctx() ctx: BillingContext): Promise<Price[]> {
    return ctx.billing.admin.prices();
  }

  @Mutation(() => Price, { description: 'Admin app: sets the price of one unit. Idempotent by clientRequestId.' })
  setPrice(@Ctx() ctx: BillingContext, @Arg('input', () => SetPriceInput) input: SetPriceInput): Promise<Price> {
    return ctx.billing.admin.setPrice(ctx.caller, input);
  }
}
