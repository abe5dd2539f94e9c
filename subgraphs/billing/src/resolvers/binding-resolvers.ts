import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChannelRef } from '../entities/channel-ref.js';
import { ResourcePackage } from '../entities/resource-package.js';
import { ChannelBinding } from '../entities/channel-binding.js';
import { Entitlement } from '../entitlement.js';
import type { BatchOutcome, BindingView } from '../bindings.js';
import type { BillingContext } from '../context.js';
import { PageArgsType, pageOfArgs } from './page-args.js';
import { BatchResult, BindChannelsInput, BindingFilter, ChannelBindingConnection, UnbindChannelsInput } from './types.js';

const bindingOf = (v: BindingView): ChannelBinding =>
  Object.assign(new ChannelBinding(), { ...v, createdAt: new Date(v.createdAt), updatedAt: new Date(v.updatedAt) });

const batchResult = (o: BatchOutcome): BatchResult => ({
  failedCount: o.failedCount,
  channels: o.channels.map((c) => ({ ...c, binding: c.binding ? bindingOf(c.binding) : null })),
});

@Resolver(() => ChannelBinding)
export class ChannelBindingResolver {
  @FieldResolver(() => ChannelRef, { nullable: true, description: 'The channel; null once it has been deleted.' })
  channel(@Root() binding: ChannelBinding): ChannelRef {
    return { id: binding.channelId };
  }

  @FieldResolver(() => ResourcePackage, { nullable: true, description: 'The resource it is bound to.' })
  package(@Root() binding: ChannelBinding, @Ctx() ctx: BillingContext): Promise<ResourcePackage | null> {
    return ctx.billing.packages.byId(ctx.caller, binding.resourceId);
  }

  @Query(() => ChannelBindingConnection, { description: "The tenant's channel bindings, newest first." })
  channelBindings(
    @Ctx() ctx: BillingContext,
    @Arg('filter', () => BindingFilter, { nullable: true }) filter: BindingFilter | null,
    @Args(() => PageArgsType) page: PageArgsType,
  ): Promise<ChannelBindingConnection> {
    return ctx.billing.bindings.list(ctx.caller, filter, pageOfArgs(page));
  }

  @Mutation(() => BatchResult, {
    description:
      'Opens a resource\'s service for up to 100 channels, with a result per channel: QUOTA_EXCEEDED when a package is full, ' +
      'CONFLICT when the channel is already bound to it, NOT_FOUND for channels the tenant does not have. A channel bound to ' +
      'another resource of the same type moves to this one. Idempotent by clientRequestId.',
  })
  async bindChannels(@Ctx() ctx: BillingContext, @Arg('input', () => BindChannelsInput) input: BindChannelsInput): Promise<BatchResult> {
    return batchResult(await ctx.billing.bindings.bind(ctx.caller, input));
  }

  @Mutation(() => BatchResult, { description: 'Closes one service type for up to 100 channels and gives the quota back. Idempotent by clientRequestId.' })
  async unbindChannels(@Ctx() ctx: BillingContext, @Arg('input', () => UnbindChannelsInput) input: UnbindChannelsInput): Promise<BatchResult> {
    return batchResult(await ctx.billing.bindings.unbind(ctx.caller, input));
  }
}

@Resolver(() => ChannelRef)
export class ChannelBillingResolver {
  @FieldResolver(() => [Entitlement], { description: 'The services this channel is open for: through bindings, and the tenant\'s defaults.' })
  entitlements(@Root() channel: ChannelRef, @Ctx() ctx: BillingContext): Promise<Entitlement[]> {
    return ctx.entitlementsOf.load(channel.id);
  }
}
