import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { PackageMode, ResourceType } from '../enums.js';

/** Stored state of a resource; ARREARS and UNAVAILABLE come from the account (see ResourceState). */
export type StoredResourceState = 'NORMAL' | 'EXPIRED';

/**
 * A resource the tenant can bind channels to: a PACKAGE (prepaid, quotaTotal channels until
 * expiresAt) or the tenant's ON_DEMAND resource of a type (any number of channels, usage charged).
 * Quota is taken and given back only by conditional UPDATEs, so racing binds cannot oversell.
 */
@ObjectType({ description: 'A resource channels are bound to: a prepaid PACKAGE or the tenant\'s ON_DEMAND resource of a type.' })
@Entity({ tableName: 'billing_resources' })
@Index({ properties: ['tenantId', 'resourceType'] })
export class ResourcePackage {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('res');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ResourceType)
  @Enum({ items: () => ResourceType, type: 'string' })
  resourceType!: ResourceType;

  @Field(() => PackageMode)
  @Enum({ items: () => PackageMode, type: 'string' })
  mode!: PackageMode;

  @Field(() => String, { description: 'What the resource is, e.g. "MANAGE package, 10 channels, 12 months".' })
  @Property({ type: 'string', length: 80 })
  name!: string;

  @Field(() => Int, { nullable: true, description: 'How many channels it can cover; null for ON_DEMAND (no limit).' })
  @Property({ type: 'integer', nullable: true })
  quotaTotal: number | null = null;

  @Field(() => Int, { description: 'How many channels are bound to it now.' })
  @Property({ type: 'integer' })
  quotaUsed = 0;

  @Field(() => Int, { nullable: true, description: 'PACKAGE of RECORD / MOTION (and optionally DATAFLOW): days recordings or pictures are kept (1 – 365).' })
  @Property({ type: 'integer', nullable: true })
  storageDays: number | null = null;

  /** NORMAL or EXPIRED as stored; the GraphQL field `state` adds what the account says. */
  @Property({ type: 'string', length: 16 })
  storedState: StoredResourceState = 'NORMAL';

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: 'End of the term; null for ON_DEMAND.' })
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  /** `<tenant>:<type>` for the tenant's one ON_DEMAND resource of a type (unique), null for packages. */
  @Unique()
  @Property({ type: 'string', length: 64, nullable: true })
  onDemandKey: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
