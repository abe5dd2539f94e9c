import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';
import { DeviceProtocol, DeviceStatus } from '../graphql-enums.js';

/**
 * A camera, NVR, encoder or other device of one tenant. Its password is kept sealed with the
 * master key (bound to the device id) and never leaves this subgraph through GraphQL.
 */
@ObjectType('Device', { description: 'A device (camera, NVR, encoder, …) of the caller\'s tenant.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'devices' })
@Unique({ properties: ['tenantId', 'deviceCode'], name: 'devices_tenant_code_unique' })
@Index({ properties: ['tenantId', 'name'], name: 'devices_tenant_name_idx' })
@Index({ properties: ['tenantId', 'groupId'], name: 'devices_tenant_group_idx' })
export class Device {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('dev');

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID, { nullable: true, description: 'The group the device sits in (at most one); null when ungrouped.' })
  @Property({ type: 'string', length: 40, nullable: true })
  groupId: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  vendor: string | null = null;

  @Field(() => DeviceProtocol)
  @Enum({ items: () => DeviceProtocol, type: 'string' })
  protocol!: DeviceProtocol;

  @Field(() => String, { description: 'Device code or serial number; unique in the tenant.' })
  @Property({ type: 'string', length: 64 })
  deviceCode!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  model: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 64, nullable: true })
  firmware: string | null = null;

  @Field(() => String, { nullable: true, description: 'Host (host[:port]) or URL where the device is reached.' })
  @Property({ type: 'string', length: 512, nullable: true })
  address: string | null = null;

  @Field(() => String, { nullable: true, description: 'Login user name on the device.' })
  @Property({ type: 'string', length: 128, nullable: true })
  username: string | null = null;

  /** AES-GCM sealed password (SecretBox, context = device id); never exposed. */
  @Property({ type: 'text', nullable: true })
  passwordSealed: string | null = null;

  @Field(() => DeviceStatus)
  @Enum({ items: () => DeviceStatus, type: 'string' })
  status: DeviceStatus = DeviceStatus.OFFLINE;

  /** Time of the last device.status event applied (orders out-of-order and repeated events). */
  @Property({ type: 'datetime', nullable: true })
  statusAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'Last time the device was reported online.' })
  @Property({ type: 'datetime', nullable: true })
  lastSeenAt: Date | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime' })
  updatedAt: Date = new Date();
}
