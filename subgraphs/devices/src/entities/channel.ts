import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { ChannelKind, ChannelStatus } from '../graphql-enums.js';

@ObjectType('Channel', { description: 'A channel (video input, audio, alarm input/output) of a device.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'channels' })
@Unique({ properties: ['deviceId', 'index'], name: 'channels_device_index_unique' })
@Index({ properties: ['tenantId', 'deviceId'], name: 'channels_tenant_device_idx' })
export class Channel {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('chn');

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  deviceId!: string;

  @Field(() => Int, { description: 'Channel number on the device (1-based); unique per device.' })
  @Property({ type: 'integer' })
  index!: number;

  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  name!: string;

  @Field(() => ChannelKind)
  @Enum({ items: () => ChannelKind, type: 'string' })
  kind: ChannelKind = ChannelKind.VIDEO;

  @Field(() => Boolean, { description: 'The channel accepts pan/tilt/zoom commands.' })
  @Property({ type: 'boolean' })
  ptzCapable: boolean = false;

  @Field(() => ChannelStatus)
  @Enum({ items: () => ChannelStatus, type: 'string' })
  status: ChannelStatus = ChannelStatus.OFFLINE;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
