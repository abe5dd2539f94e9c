import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { PackageMode, PackageStatus, ResourceType } from '../enums.js';

/** A purchased quota of one resource type: how many channels it can cover, and until when. */
@ObjectType({ description: 'A purchased resource package: covers up to quotaTotal channels with one resource type.' })
@Entity({ tableName: 'resource_packages' })
@Index({ properties: ['tenantId', 'resourceType'] })
export class ResourcePackage {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('pkg');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ResourceType)
  @Enum({ items: () => ResourceType, type: 'string' })
  resourceType!: ResourceType;

  @Field(() => PackageMode)
  @Enum({ items: () => PackageMode, type: 'string' })
  mode!: PackageMode;

  @Field(() => Int, { description: 'How many channels the package can cover.' })
  @Property({ type: 'integer' })
  quotaTotal!: number;

  @Field(() => Int, { description: 'How many channels are bound to it now.' })
  @Property({ type: 'integer' })
  quotaUsed = 0;

  @Field(() => Int, { nullable: true, description: 'RECORD packages: days recordings are kept (1 – 365).' })
  @Property({ type: 'integer', nullable: true })
  storageDays: number | null = null;

  /** Stored status; the GraphQL field `status` also reports EXPIRED once expiresAt has passed. */
  @Enum({ items: () => PackageStatus, type: 'string' })
  status: PackageStatus = PackageStatus.NORMAL;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: 'End of the term; null for ON_DEMAND packages.' })
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
