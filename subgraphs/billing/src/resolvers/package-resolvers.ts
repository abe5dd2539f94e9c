import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ResourcePackage } from '../entities/resource-package.js';
import { ResourceState } from '../enums.js';
import { resourceState } from '../rules.js';
import type { BillingContext } from '../context.js';
import { PageArgsType, pageOfArgs } from './page-args.js';
import {
  ChannelBindingConnection, PackageFilter, PurchasePackageInput, RenewPackageInput, ResourcePackageConnection, ServiceQuota,
} from './types.js';

@Resolver(() => ResourcePackage)
export class ResourcePackageResolver {
  @FieldResolver(() => ResourceState, { description: 'NORMAL, EXPIRED (term over), ARREARS (on demand, credit ran out) or UNAVAILABLE (account suspended).' })
  async state(@Root() pkg: ResourcePackage, @Ctx() ctx: BillingContext): Promise<ResourceState> {
    const account = await ctx.accountOf(pkg.tenantId);
    return resourceState(pkg, account.state, new Date());
  }

  @FieldResolver(() => ChannelBindingConnection, { description: 'Channels bound to this resource, newest first.' })
  channels(@Root() pkg: ResourcePackage, @Ctx() ctx: BillingContext, @Args(() => PageArgsType) page: PageArgsType): Promise<ChannelBindingConnection> {
    return ctx.billing.bindings.list(ctx.caller, { packageId: pkg.id }, pageOfArgs(page));
  }

  @Query(() => ResourcePackageConnection, { description: "The tenant's resources (packages and its on-demand resources), newest first." })
  resourcePackages(
    @Ctx() ctx: BillingContext,
    @Arg('filter', () => PackageFilter, { nullable: true }) filter: PackageFilter | null,
    @Args(() => PageArgsType) page: PageArgsType,
  ): Promise<ResourcePackageConnection> {
    return ctx.billing.packages.list(ctx.caller, filter, pageOfArgs(page));
  }

  @Query(() => ResourcePackage, { nullable: true, description: 'A resource of the tenant; null when there is none with this id.' })
  resourcePackage(@Ctx() ctx: BillingContext, @Arg('id', () => ID) id: string): Promise<ResourcePackage | null> {
    return ctx.billing.packages.byId(ctx.caller, id);
  }

  @Query(() => [ServiceQuota], { description: 'Per resource type: channels the tenant\'s packages hold and use, and on-demand use.' })
  serviceQuotas(@Ctx() ctx: BillingContext): Promise<ServiceQuota[]> {
    return ctx.billing.entitlements.quotas(ctx.caller);
  }

  @Mutation(() => ResourcePackage, {
    description:
      'Buys a package. Its price is taken from the credit: INSUFFICIENT_CREDIT when the credit does not cover it, ' +
      'ACCOUNT_IN_ARREARS / ACCOUNT_SUSPENDED by the account state. Idempotent by clientRequestId.',
  })
  purchasePackage(@Ctx() ctx: BillingContext, @Arg('input', () => PurchasePackageInput) input: PurchasePackageInput): Promise<ResourcePackage> {
    return ctx.billing.packages.purchase(ctx.caller, input);
  }

  @Mutation(() => ResourcePackage, { description: 'Extends a package by months (from its end, or from now once expired) at the current price. Idempotent by clientRequestId.' })
  renewPackage(@Ctx() ctx: BillingContext, @Arg('input', () => RenewPackageInput) input: RenewPackageInput): Promise<ResourcePackage> {
    return ctx.billing.packages.renew(ctx.caller, input);
  }
}
