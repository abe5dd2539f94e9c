import { BigIntType, Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { UsageMetric } from '../enums.js';

/** Usage of one metric by one channel on one UTC day (per protocol where it has one), and what it was charged. */
@ObjectType({ description: 'What one channel used of one metric on one UTC day, and what was charged for it.' })
@Entity({ tableName: 'usage_daily' })
@Unique({ properties: ['tenantId', 'channelId', 'day', 'metric', 'protocol'] })
@Index({ properties: ['tenantId', 'day'] })
export class UsageRecord {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('use');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 128 })
  channelId!: string;

  @Field(() => String, { description: 'UTC day, YYYY-MM-DD.' })
  @Property({ type: 'string', length: 10 })
  day!: string;

  @Field(() => UsageMetric)
  @Enum({ items: () => UsageMetric, type: 'string' })
  metric!: UsageMetric;

  @Field(() => String, { description: 'Play protocol (EGRESS_BYTES, VIEW_SECONDS) or ingest protocol (PUBLISH_SECONDS); empty otherwise.' })
  @Property({ type: 'string', length: 16 })
  protocol = '';

  /** In base units: bytes, milliseconds, counts, or GB-days × 10^6 (GraphQL `quantity` converts). */
  @Property({ type: new BigIntType('number') })
  quantityBase = 0;

  @Field(() => Int, { description: 'How many events were added up.' })
  @Property({ type: 'integer' })
  events = 0;

  /** Micros charged (GraphQL `charged`). */
  @Property({ type: new BigIntType('number') })
  chargedMicros = 0;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
