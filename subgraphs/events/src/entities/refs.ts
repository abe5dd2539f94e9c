import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The devices subgraph's Device. Events knows its name (from the devices subgraph, through the
 * ChannelDirectory) and provides it on Alarm.device, so an alarm with its device name needs no
 * second fetch by the gateway — what a live alarm subscription asks for every event.
 */
@ObjectType('Device')
@Directive('@key(fields: "id")')
export class DeviceRef {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Directive('@external')
  name!: string;
}

/** The devices subgraph's Channel; events adds Channel.alarms and provides name and device on Alarm.channel. */
@ObjectType('Channel')
@Directive('@key(fields: "id")')
export class ChannelRef {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  @Directive('@external')
  name!: string;

  @Field(() => DeviceRef)
  @Directive('@external')
  device!: DeviceRef;
}
