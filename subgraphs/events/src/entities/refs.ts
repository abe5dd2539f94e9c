import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The devices subgraph's Channel, by key only; events adds Channel.alarms. */
@ObjectType('Channel')
@Directive('@key(fields: "id")')
export class ChannelRef {
  @Field(() => ID)
  id!: string;
}

/** The devices subgraph's Device, by key only (so Alarm.device resolves through the gateway). */
@ObjectType('Device')
@Directive('@key(fields: "id")')
export class DeviceRef {
  @Field(() => ID)
  id!: string;
}
