import { Arg, Args, Ctx, FieldResolver, Float, Query, Resolver, Root } from 'type-graphql';
import { UsageRecord } from '../entities/usage-record.js';
import { ChannelRef } from '../entities/channel-ref.js';
import { MoneyScalar } from '../money.js';
import { METRICS } from '../pricing.js';
import type { BillingContext } from '../context.js';
import { PageArgsType, pageOfArgs } from './page-args.js';
import { UsageFilter, UsageRecordConnection, UsageTotal } from './types.js';

@Resolver(() => UsageRecord)
export class UsageResolver {
  @FieldResolver(() => Float, { description: "In the metric's unit: bytes, seconds, a count, or GB-days." })
  quantity(@Root() r: UsageRecord): number {
    return r.quantityBase / METRICS[r.metric].basePerQuantity;
  }

  @FieldResolver(() => MoneyScalar, { description: 'Charged to the credit (usage covered by an ON_DEMAND resource).' })
  charged(@Root() r: UsageRecord): number {
    return r.chargedMicros;
  }

  @FieldResolver(() => ChannelRef, { nullable: true, description: 'The channel; null for usage of a device itself, or once the channel is deleted.' })
  channel(@Root() r: UsageRecord): ChannelRef | null {
    return r.channelId ? { id: r.channelId } : null;
  }

  @Query(() => UsageRecordConnection, { description: 'Usage per channel, UTC day, metric and protocol, newest day first.' })
  usage(
    @Ctx() ctx: BillingContext,
    @Arg('filter', () => UsageFilter, { nullable: true }) filter: UsageFilter | null,
    @Args(() => PageArgsType) page: PageArgsType,
  ): Promise<UsageRecordConnection> {
    return ctx.billing.usage.list(ctx.caller, filter, pageOfArgs(page));
  }

  @Query(() => [UsageTotal], { description: 'Usage added up per metric and protocol over the filter.' })
  async usageTotals(@Ctx() ctx: BillingContext, @Arg('filter', () => UsageFilter, { nullable: true }) filter: UsageFilter | null): Promise<UsageTotal[]> {
    const totals = await ctx.billing.usage.totals(ctx.caller, filter);
    return totals.map((t) => ({
      metric: t.metric,
      protocol: t.protocol,
      quantity: t.quantityBase / METRICS[t.metric].basePerQuantity,
      events: t.events,
      charged: t.chargedMicros,
    }));
  }
}
