import { Field, ID, InputType, Int, ObjectType, Float } from 'type-graphql';
import { Connection } from '@argus/platform';
import { ResourcePackage } from '../entities/resource-package.js';
import { ChannelBinding } from '../entities/channel-binding.js';
import { BillingOrder } from '../entities/order.js';
import { UsageRecord } from '../entities/usage-record.js';
import { OrderKind, PackageMode, PriceUnit, ResourceState, ResourceType, UsageMetric } from '../enums.js';
import { MoneyScalar } from '../money.js';
import { BATCH_MAX, MONTHS_MAX, MONTHS_MIN, QUOTA_MAX, QUOTA_MIN, STORAGE_DAYS_MAX, STORAGE_DAYS_MIN } from '../rules.js';

const REQUEST_ID_DOC = 'Makes the mutation idempotent: a retry with the same id returns the first answer and changes nothing (1 – 64 of A-Z a-z 0-9 . _ : -).';

@ObjectType('ResourcePackageConnection', { description: 'A page of resources, newest first.' })
export class ResourcePackageConnection extends Connection(ResourcePackage, 'ResourcePackage') {}

@ObjectType('ChannelBindingConnection', { description: 'A page of bindings, newest first.' })
export class ChannelBindingConnection extends Connection(ChannelBinding, 'ChannelBinding') {}

@ObjectType('BillingOrderConnection', { description: 'A page of orders, newest first.' })
export class BillingOrderConnection extends Connection(BillingOrder, 'BillingOrder') {}

@ObjectType('UsageRecordConnection', { description: 'A page of daily usage records, newest day first.' })
export class UsageRecordConnection extends Connection(UsageRecord, 'UsageRecord') {}

@InputType({ description: 'A package to buy: quota channels for months; its price (CHANNEL_MONTH × quota × months) is taken from the credit.' })
export class PurchasePackageInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => Int, { description: `How many channels the package can cover (${QUOTA_MIN} – ${QUOTA_MAX}).` })
  quota!: number;

  @Field(() => Int, { description: `Term in months (${MONTHS_MIN} – ${MONTHS_MAX}).` })
  months!: number;

  @Field(() => Int, { nullable: true, description: `RECORD and MOTION (required), DATAFLOW (optional): days kept (${STORAGE_DAYS_MIN} – ${STORAGE_DAYS_MAX}).` })
  storageDays?: number | null;
}

@InputType()
export class RenewPackageInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ID)
  packageId!: string;

  @Field(() => Int, { description: `Months added to the term (${MONTHS_MIN} – ${MONTHS_MAX}); from its end, or from now once expired.` })
  months!: number;
}

@InputType({ description: 'Opens a resource\'s service for channels.' })
export class BindChannelsInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ID, { description: 'The resource (ResourcePackage) id: a package, or the tenant\'s on-demand resource of the type.' })
  packageId!: string;

  @Field(() => [ID], { description: `1 – ${BATCH_MAX} channels.` })
  channelIds!: string[];

  @Field(() => Int, {
    nullable: true,
    description: `On-demand RECORD and MOTION: required, days kept (${STORAGE_DAYS_MIN} – ${STORAGE_DAYS_MAX}); DATAFLOW: optional; a PACKAGE brings its own (leave it out).`,
  })
  storageDays?: number | null;
}

@InputType({ description: 'Closes one service type for channels; channels without it are fine.' })
export class UnbindChannelsInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => [ID], { description: `1 – ${BATCH_MAX} channels.` })
  channelIds!: string[];
}

@ObjectType({ description: 'What happened to one channel of a batch.' })
export class ChannelResult {
  @Field(() => ID)
  channelId!: string;

  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { description: 'OK, or the error code (NOT_FOUND, CONFLICT, QUOTA_EXCEEDED, ENTITLEMENT_MISSING, ACCOUNT_IN_ARREARS, ACCOUNT_SUSPENDED).' })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => ChannelBinding, { nullable: true, description: 'The binding made (bind) or removed (unbind); null when nothing changed.' })
  binding!: ChannelBinding | null;
}

@ObjectType({ description: 'Outcome of a batch: one result per channel, in the order given.' })
export class BatchResult {
  @Field(() => Int)
  failedCount!: number;

  @Field(() => [ChannelResult])
  channels!: ChannelResult[];
}

@InputType()
export class PackageFilter {
  @Field(() => ResourceType, { nullable: true })
  resourceType?: ResourceType | null;

  @Field(() => PackageMode, { nullable: true })
  mode?: PackageMode | null;

  @Field(() => ResourceState, { nullable: true })
  state?: ResourceState | null;
}

@InputType()
export class BindingFilter {
  @Field(() => ID, { nullable: true })
  packageId?: string | null;

  @Field(() => ResourceType, { nullable: true })
  resourceType?: ResourceType | null;

  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => ID, { nullable: true })
  deviceId?: string | null;
}

@InputType()
export class OrderFilter {
  @Field(() => OrderKind, { nullable: true })
  kind?: OrderKind | null;

  @Field(() => String, { nullable: true, description: 'Admin app only: whose orders.' })
  tenantId?: string | null;
}

@InputType()
export class UsageFilter {
  @Field(() => String, { nullable: true, description: 'First UTC day, YYYY-MM-DD.' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Last UTC day, YYYY-MM-DD (inclusive).' })
  to?: string | null;

  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => UsageMetric, { nullable: true })
  metric?: UsageMetric | null;
}

@ObjectType({ description: 'Usage of one metric (and protocol) added up over a period.' })
export class UsageTotal {
  @Field(() => UsageMetric)
  metric!: UsageMetric;

  @Field(() => String)
  protocol!: string;

  @Field(() => Float, { description: 'In the metric\'s unit: bytes, seconds, a count, or GB-days.' })
  quantity!: number;

  @Field(() => Int)
  events!: number;

  @Field(() => MoneyScalar)
  charged!: number;
}

@ObjectType({ description: "The tenant's order quota for one resource type (what its packages hold and use)." })
export class ServiceQuota {
  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => Int, { description: 'Channels its NORMAL packages can cover.' })
  packageTotal!: number;

  @Field(() => Int)
  packageUsed!: number;

  @Field(() => Int)
  packageAvailable!: number;

  @Field(() => Int, { description: 'Channels bound to its on-demand resource.' })
  onDemandBound!: number;

  @Field(() => Boolean, { description: 'Every channel gets this type on demand without a binding.' })
  openByDefault!: boolean;
}

@InputType({ description: 'Admin app: adds credit (positive) or takes it (negative).' })
export class AdjustCreditInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => MoneyScalar, { description: 'Decimal, at most 6 decimals; not zero.' })
  amount!: string;

  @Field(() => String, { nullable: true, description: 'At most 256 characters (shown in the order history).' })
  note?: string | null;
}

@InputType({ description: "Admin app: suspends or restores a tenant's account, or changes its default services." })
export class UpdateBillingAccountInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => Boolean, { nullable: true, description: 'true: UNAVAILABLE (nothing works); false: back to NORMAL, or ARREARS when credit is below zero.' })
  suspended?: boolean | null;

  @Field(() => [ResourceType], { nullable: true, description: 'Types every channel gets on demand without a binding (MANAGE, DATAFLOW, TALK); [] for none.' })
  defaultOpen?: ResourceType[] | null;
}

@InputType({ description: 'Admin app: one line of the price table.' })
export class SetPriceInput {
  @Field(() => String, { description: REQUEST_ID_DOC })
  clientRequestId!: string;

  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => PackageMode)
  mode!: PackageMode;

  @Field(() => PriceUnit, { description: 'PACKAGE: CHANNEL_MONTH. ON_DEMAND: the units of the type (MANAGE: EGRESS_GB, VIEW_MINUTE; DATAFLOW: ALARM, PICTURE; TALK: TALK_MINUTE; RECORD, MOTION: STORAGE_GB_DAY).' })
  unit!: PriceUnit;

  @Field(() => MoneyScalar, { description: 'Per unit, ≥ 0.' })
  price!: string;
}
