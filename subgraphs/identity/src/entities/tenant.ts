import { Entity, PrimaryKey, Property, Enum } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '@argus/platform';

export enum TenantStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(TenantStatus, { name: 'TenantStatus' });

@ObjectType({ description: 'An organisation using Argus; everything it owns is invisible to other tenants.' })
@Entity({ tableName: 'tenants' })
export class Tenant {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('ten');

  @Field(() => String)
  @Property({ type: 'string', length: 128, unique: true })
  name!: string;

  @Field(() => TenantStatus)
  @Enum({ items: () => TenantStatus, type: 'string' })
  status: TenantStatus = TenantStatus.ACTIVE;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
