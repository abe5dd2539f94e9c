import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { ResourceType } from '../enums.js';

/** A channel covered by a package; at most one binding per channel and resource type. */
@ObjectType({ description: 'A channel bound to a resource package (at most one package of each resource type per channel).' })
@Entity({ tableName: 'channel_bindings' })
@Unique({ properties: ['channelId', 'resourceType'] })
@Index({ properties: ['tenantId', 'channelId'] })
@Index({ properties: ['packageId'] })
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

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  packageId!: string;

  @Field(() => ResourceType)
  @Enum({ items: () => ResourceType, type: 'string' })
  resourceType!: ResourceType;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
