import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { ResourceType } from '../enums.js';

/** A channel opened for one resource type through one resource; at most one binding per channel and type. */
@ObjectType({ description: 'A channel bound to a resource (at most one resource of each type per channel).' })
@Entity({ tableName: 'resource_bindings' })
@Unique({ properties: ['channelId', 'resourceType'] })
@Index({ properties: ['tenantId', 'channelId'] })
@Index({ properties: ['tenantId', 'deviceId'] })
@Index({ properties: ['resourceId'] })
export class ChannelBinding {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('bnd');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 128 })
  channelId!: string;

  @Field(() => ID, { nullable: true, description: "The channel's device (when billing learnt it at binding time)." })
  @Property({ type: 'string', length: 128, nullable: true })
  deviceId: string | null = null;

  @Field(() => ID, { description: 'The resource (ResourcePackage) id.' })
  @Property({ type: 'string', length: 40 })
  resourceId!: string;

  @Field(() => ResourceType)
  @Enum({ items: () => ResourceType, type: 'string' })
  resourceType!: ResourceType;

  @Field(() => Int, { nullable: true, description: "Days recordings are kept: the binding's own for ON_DEMAND resources, else the package's." })
  @Property({ type: 'integer', nullable: true })
  storageDays: number | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { description: 'Last time the binding moved to another resource or changed storage days.' })
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
