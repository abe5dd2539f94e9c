import { BigIntType, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { PackageMode, PriceUnit, ResourceType } from '../enums.js';

/** One line of the price table: what one unit of a resource type costs in a mode. Missing lines cost 0. */
@ObjectType({ description: 'What one unit of a resource costs. A unit without a price line costs nothing.' })
@Entity({ tableName: 'billing_prices' })
export class Price {
  @Field(() => ResourceType)
  @Enum({ items: () => ResourceType, type: 'string', primary: true })
  resourceType!: ResourceType;

  @Field(() => PackageMode)
  @Enum({ items: () => PackageMode, type: 'string', primary: true })
  mode!: PackageMode;

  @Field(() => PriceUnit)
  @Enum({ items: () => PriceUnit, type: 'string', primary: true })
  unit!: PriceUnit;

  /** Micros per unit (GraphQL `price`). */
  @Property({ type: new BigIntType('number') })
  priceMicros = 0;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
