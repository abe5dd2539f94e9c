import { Entity, PrimaryKey, Property, Enum, Index, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType } from '../graphql-enums.js';
import type { AlarmRecord } from '../alarm-model.js';

/**
 * An alarm reported by a device (through a driver on the bus) or raised by an integrator.
 * Kept as history when its device is deleted. `attributes`, `pictures`, the typed attribute
 * views (`face`, `vehicle`, …), `channel` and `device` are resolved in AlarmResolver.
 */
@ObjectType('Alarm', { description: 'An alarm of a device or channel: what happened, how severe, and how it was handled.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'alarms' })
@Index({ properties: ['tenantId', 'occurredAt', 'id'] })
@Index({ properties: ['tenantId', 'channelId', 'occurredAt'] })
@Index({ properties: ['tenantId', 'deviceId', 'occurredAt'] })
@Unique({ properties: ['tenantId', 'dedupeKey'] })
export class Alarm implements AlarmRecord {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('alm');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  deviceId!: string;

  @Field(() => ID, { nullable: true, description: 'Null for an alarm of the device itself.' })
  @Property({ type: 'string', length: 40, nullable: true })
  channelId: string | null = null;

  @Field(() => AlarmType)
  @Enum({ items: () => AlarmType, type: 'string', length: 32 })
  type!: AlarmType;

  @Field(() => String, { nullable: true, description: "The vendor's original alarm code (e.g. ebike_detection)." })
  @Property({ type: 'string', length: 128, nullable: true })
  sourceCode: string | null = null;

  @Field(() => AlarmSource, { nullable: true, description: 'Protocol or platform family of sourceCode; null when the publisher did not say.' })
  @Enum({ items: () => AlarmSource, type: 'string', length: 16, nullable: true })
  source: AlarmSource | null = null;

  @Field(() => AlarmLevel)
  @Property({ type: 'integer' })
  level!: AlarmLevel;

  @Field(() => AlarmStatus)
  @Enum({ items: () => AlarmStatus, type: 'string', length: 16 })
  status!: AlarmStatus;

  @Field(() => AlarmState)
  @Enum({ items: () => AlarmState, type: 'string', length: 16 })
  state: AlarmState = AlarmState.NEW;

  @Field(() => String)
  @Property({ type: 'text' })
  description: string = '';

  @Field(() => Date, { description: 'When it happened, by the device clock (or the integrator).' })
  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Field(() => Date, { description: 'When Argus received it.' })
  @Property({ type: 'datetime' })
  receivedAt: Date = new Date();

  @Field(() => String, { nullable: true, description: 'Unique per tenant; a second alarm with the same key is not stored again.' })
  @Property({ type: 'string', length: 200, nullable: true })
  dedupeKey: string | null = null;

  /** JSON text; exposed as the JSONObject field `attributes` and the typed views. */
  @Property({ type: 'text', nullable: true })
  attributes: string | null = null;

  /** JSON text of StoredPicture[]; exposed as `pictures` with signed URLs. */
  @Property({ type: 'text', nullable: true })
  pictures: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'App id of who acknowledged it.' })
  @Property({ type: 'string', length: 64, nullable: true })
  acknowledgedBy: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  acknowledgeNote: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  clearedAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'App id of who cleared it.' })
  @Property({ type: 'string', length: 64, nullable: true })
  clearedBy: string | null = null;
}

/** An Alarm object (not managed by an EntityManager) from a record, e.g. a bus payload for a subscription. */
export function alarmOf(record: AlarmRecord): Alarm {
  return Object.assign(new Alarm(), record);
}
