import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '@argus/platform';
import { Alarm } from '../entities/alarm.js';
import { AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType } from '../graphql-enums.js';
import type { AlarmFilterShape, AlarmSubscriptionFilterShape } from '../alarm-filter.js';
import type { RaiseAlarmInputShape } from '../alarm-event.js';

@ObjectType('AlarmConnection', { description: 'A page of alarms, newest first (occurredAt, then id, descending).' })
export class AlarmConnection extends Connection(Alarm, 'Alarm') {}

@InputType('AlarmFilter', { description: 'All given conditions must hold. An empty list means no restriction.' })
export class AlarmFilter implements AlarmFilterShape {
  @Field(() => Date, { nullable: true, description: 'occurredAt at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'occurredAt before this instant (exclusive).' })
  to?: Date | null;

  @Field(() => ID, { nullable: true })
  deviceId?: string | null;

  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => [AlarmType], { nullable: true })
  types?: AlarmType[] | null;

  @Field(() => [AlarmLevel], { nullable: true })
  levels?: AlarmLevel[] | null;

  @Field(() => [AlarmState], { nullable: true })
  states?: AlarmState[] | null;

  @Field(() => AlarmStatus, { nullable: true })
  status?: AlarmStatus | null;

  @Field(() => ID, { nullable: true, description: 'Alarms of the devices in this device group (NOT_FOUND for a group the caller cannot see).' })
  groupId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'With groupId: also the devices of every group below it. Default false.' })
  includeSubgroups?: boolean | null;

  @Field(() => [AlarmSource], { nullable: true, description: 'Protocol families (HTTP_PUSH, CMIOT, HUAWEI, ISUP, MANUAL).' })
  sources?: AlarmSource[] | null;
}

@InputType('AlarmSubscriptionFilter', { description: 'Which live alarms to receive; all given conditions must hold.' })
export class AlarmSubscriptionFilter implements AlarmSubscriptionFilterShape {
  @Field(() => ID, { nullable: true })
  deviceId?: string | null;

  @Field(() => ID, { nullable: true })
  channelId?: string | null;

  @Field(() => [AlarmType], { nullable: true, description: 'Empty or absent: every type.' })
  types?: AlarmType[] | null;

  @Field(() => AlarmLevel, { nullable: true, description: 'Only alarms at this level or above.' })
  minLevel?: AlarmLevel | null;
}

@InputType('RaiseAlarmInput', { description: 'A manual or external alarm on a channel of the caller\'s tenant.' })
export class RaiseAlarmInput implements RaiseAlarmInputShape {
  @Field(() => ID)
  channelId!: string;

  @Field(() => AlarmType)
  type!: AlarmType;

  @Field(() => AlarmLevel)
  level!: AlarmLevel;

  @Field(() => AlarmStatus)
  status!: AlarmStatus;

  @Field(() => String, { description: 'Text to display, at most 1024 characters.' })
  description!: string;

  @Field(() => Date, { nullable: true, description: 'Default: now. At most 5 minutes in the future.' })
  occurredAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Your own code for the alarm, at most 128 characters.' })
  sourceCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Idempotency key, unique in the tenant (at most 200 characters): raising again with the same key returns the stored alarm and notifies no one.',
  })
  dedupeKey?: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Extra details, a JSON object of at most 16 KiB (pictures not counted). Pictures: "pictures": [{ "contentType": "image/jpeg", "dataBase64": "…", "name"?: "…" }], ' +
      'JPEG or PNG of at most 5 MiB each, at most 16; they are stored and served as Alarm.pictures.',
  })
  attributes?: Record<string, unknown> | null;
}
