import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChannelRef } from '../entities/channel-ref.js';
import { ResourcePackage } from '../entities/resource-package.js';
import { ChannelBinding } from '../entities/channel-binding.js';
import { Entitlement } from '../entitlement.js';
import { PackageStatus, ResourceType } from '../enums.js';
import { effectiveStatus, MONTHS_MAX, MONTHS_MIN, QUOTA_MAX, QUOTA_MIN, STORAGE_DAYS_MAX, STORAGE_DAYS_MIN } from '../rules.js';
import type { BillingContext } from '../context.js';

@InputType({ description: 'A package to purchase: either a term in months, or onDemand.' })
export class PurchasePackageInput {
  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => Int, { description: `How many channels the package can cover (${QUOTA_MIN} – ${QUOTA_MAX}).` })
  quota!: number;

  @Field(() => Int, { nullable: true, description: `Term in months (${MONTHS_MIN} – ${MONTHS_MAX}); required unless onDemand.` })
  months?: number | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'An on-demand package: no term, no months.' })
  onDemand?: boolean | null;

  @Field(() => Int, { nullable: true, description: `RECORD only and required there: days recordings are kept (${STORAGE_DAYS_MIN} – ${STORAGE_DAYS_MAX}).` })
  storageDays?: number | null;
}

@Resolver(() => ResourcePackage)
export class ResourcePackageResolver {
  @FieldResolver(() => PackageStatus, { description: 'EXPIRED once the term has ended.' })
  status(@Root() pkg: ResourcePackage): PackageStatus {
    return effectiveStatus(pkg);
  }

  @Query(() => [ResourcePackage], { description: "The tenant's resource packages, oldest first." })
  resourcePackages(
    @Ctx() ctx: BillingContext,
    @Arg('resourceType', () => ResourceType, { nullable: true }) resourceType?: ResourceType | null,
  ): Promise<ResourcePackage[]> {
    return ctx.billing.packages(ctx.caller, resourceType ?? null);
  }

  @Mutation(() => ResourcePackage, { description: 'Buys a resource package for the tenant.' })
  purchasePackage(@Ctx() ctx: BillingContext, @Arg('input', () => PurchasePackageInput) input: PurchasePackageInput): Promise<ResourcePackage> {
    return ctx.billing.purchase(ctx.caller, input);
  }
}

@Resolver(() => ChannelBinding)
export class ChannelBindingResolver {
  @FieldResolver(() => ChannelRef, { nullable: true, description: 'The channel; null once it has been deleted.' })
  channel(@Root() binding: ChannelBinding): ChannelRef {
    return { id: binding.channelId };
  }

  @FieldResolver(() => ResourcePackage)
  async package(@Root() binding: ChannelBinding, @Ctx() ctx: BillingContext): Promise<ResourcePackage | null> {
    return ctx.billing.packageById(ctx.caller, binding.packageId);
  }

  @Mutation(() => ChannelBinding, {
    description:
      'Covers a channel with a package: QUOTA_EXCEEDED when the package is full or expired, CONFLICT when the channel already has a package of that resource type.',
  })
  bindChannel(
    @Ctx() ctx: BillingContext,
    @Arg('channelId', () => ID) channelId: string,
    @Arg('packageId', () => ID) packageId: string,
  ): Promise<ChannelBinding> {
    return ctx.billing.bind(ctx.caller, channelId, packageId);
  }

  @Mutation(() => ChannelBinding, { description: "Removes a channel's package of one resource type and gives the quota back. Returns the removed binding." })
  unbindChannel(
    @Ctx() ctx: BillingContext,
    @Arg('channelId', () => ID) channelId: string,
    @Arg('resourceType', () => ResourceType) resourceType: ResourceType,
  ): Promise<ChannelBinding> {
    return ctx.billing.unbind(ctx.caller, channelId, resourceType);
  }
}

@Resolver(() => ChannelRef)
export class ChannelBillingResolver {
  @FieldResolver(() => [Entitlement], { description: 'Resources this channel is entitled to through bound packages.' })
  entitlements(@Root() channel: ChannelRef, @Ctx() ctx: BillingContext): Promise<Entitlement[]> {
    return ctx.entitlements.load(channel.id);
  }
}
