import { BigIntType, Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { AccountState } from '../enums.js';

/** A tenant's billing account: its credit, its state, and which services every channel gets by default. */
@ObjectType('BillingAccount', { description: "A tenant's billing account." })
@Entity({ tableName: 'billing_accounts' })
export class Account {
  @Field(() => String)
  @PrimaryKey({ type: 'string', length: 40 })
  tenantId!: string;

  /** Micros; the GraphQL field `credit` formats it. */
  @Property({ type: new BigIntType('number') })
  creditMicros = 0;

  @Field(() => AccountState)
  @Enum({ items: () => AccountState, type: 'string' })
  state: AccountState = AccountState.NORMAL;

  /** Comma-separated resource types open on demand for every channel (the GraphQL field `defaultOpen`). */
  @Property({ type: 'string', length: 64 })
  defaultOpenList = '';

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
