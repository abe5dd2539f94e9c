import { BigIntType, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { OrderKind, PackageMode, ResourceType } from '../enums.js';

/** One entry of a tenant's order history: a purchase, a renewal or a credit change. */
@ObjectType('BillingOrder', { description: 'A purchase, renewal or credit change, with what it cost and the credit after it.' })
@Entity({ tableName: 'billing_orders' })
@Index({ properties: ['tenantId', 'id'] })
export class BillingOrder {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('ord');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => OrderKind)
  @Enum({ items: () => OrderKind, type: 'string' })
  kind!: OrderKind;

  @Field(() => ID, { nullable: true, description: 'The package bought or renewed.' })
  @Property({ type: 'string', length: 40, nullable: true })
  resourceId: string | null = null;

  @Field(() => ResourceType, { nullable: true })
  @Enum({ items: () => ResourceType, type: 'string', nullable: true })
  resourceType: ResourceType | null = null;

  @Field(() => PackageMode, { nullable: true })
  @Enum({ items: () => PackageMode, type: 'string', nullable: true })
  mode: PackageMode | null = null;

  @Field(() => Int, { nullable: true, description: 'Channels bought.' })
  @Property({ type: 'integer', nullable: true })
  quantity: number | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  months: number | null = null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  storageDays: number | null = null;

  /** Change of credit, micros: negative for what was charged, positive for credit added (GraphQL `amount`). */
  @Property({ type: new BigIntType('number') })
  amountMicros = 0;

  /** Credit after the order, micros (GraphQL `creditAfter`). */
  @Property({ type: new BigIntType('number') })
  creditAfterMicros = 0;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 256, nullable: true })
  note: string | null = null;

  @Field(() => String, { description: 'The clientRequestId of the mutation that made it.' })
  @Property({ type: 'string', length: 64 })
  clientRequestId!: string;

  @Field(() => String, { description: 'The app (or role) that made it.' })
  @Property({ type: 'string', length: 64 })
  createdBy!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
