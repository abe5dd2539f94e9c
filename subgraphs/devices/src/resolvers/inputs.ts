import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '@argus/platform';
import { Device } from '../entities/device.js';
import { Channel } from '../entities/channel.js';
import { ChannelKind, ChannelStatus, DeviceChangeKind, DeviceOrderField, DeviceProtocol, DeviceStatus, OrderDirection } from '../graphql-enums.js';
import type { ChannelInputShape, CreateDeviceInputShape, UpdateDeviceInputShape } from '../validation.js';
import type { ChannelFilterShape, DeviceFilterShape, DeviceOrderShape } from '../filters.js';

@ObjectType('DeviceConnection', { description: 'A page of devices in the requested order (ties broken by id).' })
export class DeviceConnection extends Connection(Device, 'Device') {}

@ObjectType('ChannelConnection', { description: 'A page of channels, by device then channel index.' })
export class ChannelConnection extends Connection(Channel, 'Channel') {}

@InputType('ChannelInput', { description: 'A channel of a device.' })
export class ChannelInput implements ChannelInputShape {
  @Field(() => Int, { description: 'Channel number on the device, 1 – 4096; unique per device.' })
  index!: number;

  @Field(() => String, { nullable: true, description: 'Default: "<device name> CH<index>".' })
  name?: string | null;

  @Field(() => ChannelKind, { nullable: true, description: 'Default: VIDEO.' })
  kind?: ChannelKind | null;

  @Field(() => Boolean, { nullable: true, description: 'Default: false.' })
  ptzCapable?: boolean | null;
}

@InputType('UpdateChannelInput', { description: 'Fields to change; omitted fields keep their value.' })
export class UpdateChannelInput implements ChannelInputShape {
  @Field(() => Int, { nullable: true })
  index?: number | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => ChannelKind, { nullable: true })
  kind?: ChannelKind | null;

  @Field(() => Boolean, { nullable: true })
  ptzCapable?: boolean | null;
}

@InputType('CreateDeviceInput')
export class CreateDeviceInput implements CreateDeviceInputShape {
  @Field(() => String, { description: '1 – 128 characters.' })
  name!: string;

  @Field(() => DeviceProtocol)
  protocol!: DeviceProtocol;

  @Field(() => String, { description: 'Device code or serial number, unique in the tenant: letters, digits, . _ : - (at most 64).' })
  deviceCode!: string;

  @Field(() => String, { nullable: true })
  vendor?: string | null;

  @Field(() => String, { nullable: true })
  model?: string | null;

  @Field(() => String, { nullable: true })
  firmware?: string | null;

  @Field(() => String, { nullable: true, description: 'host[:port] or a URL.' })
  address?: string | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Stored encrypted; never returned (see Device.hasPassword).' })
  password?: string | null;

  @Field(() => ID, { nullable: true, description: 'Group to put the device in.' })
  groupId?: string | null;

  @Field(() => [ChannelInput], { nullable: true, description: 'Channels to create with the device. Not together with channelCount.' })
  channels?: ChannelInput[] | null;

  @Field(() => Int, { nullable: true, description: 'Creates VIDEO channels 1..n named "<device name> CH<n>". Not together with channels.' })
  channelCount?: number | null;
}

@InputType('UpdateDeviceInput', { description: 'Fields to change: omitted fields keep their value; null clears an optional field (password: null removes it).' })
export class UpdateDeviceInput implements UpdateDeviceInputShape {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => DeviceProtocol, { nullable: true })
  protocol?: DeviceProtocol;

  @Field(() => String, { nullable: true })
  deviceCode?: string;

  @Field(() => String, { nullable: true })
  vendor?: string | null;

  @Field(() => String, { nullable: true })
  model?: string | null;

  @Field(() => String, { nullable: true })
  firmware?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'New password (stored encrypted); null removes it.' })
  password?: string | null;
}

@InputType('DeviceFilter', { description: 'All given conditions must hold.' })
export class DeviceFilter implements DeviceFilterShape {
  @Field(() => DeviceStatus, { nullable: true })
  status?: DeviceStatus | null;

  @Field(() => DeviceProtocol, { nullable: true })
  protocol?: DeviceProtocol | null;

  @Field(() => ID, { nullable: true, description: 'Devices directly in this group (with includeSubgroups: in it or any group below it).' })
  groupId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'With groupId: include devices of all subgroups. Default false.' })
  includeSubgroups?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name or device code.' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact vendor.' })
  vendor?: string | null;
}

@InputType('DeviceOrder')
export class DeviceOrder implements DeviceOrderShape {
  @Field(() => DeviceOrderField, { nullable: true, description: 'Default NAME. LAST_SEEN_AT: never-seen devices sort first ascending, last descending.' })
  field?: DeviceOrderField | null;

  @Field(() => OrderDirection, { nullable: true, description: 'Default ASC.' })
  direction?: OrderDirection | null;
}

@InputType('ChannelFilter', { description: 'All given conditions must hold.' })
export class ChannelFilter implements ChannelFilterShape {
  @Field(() => ID, { nullable: true })
  deviceId?: string | null;

  @Field(() => ChannelKind, { nullable: true })
  kind?: ChannelKind | null;

  @Field(() => ChannelStatus, { nullable: true })
  status?: ChannelStatus | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the channel name.' })
  search?: string | null;
}

@ObjectType('DeviceChange', { description: 'A change of one device of the subscriber\'s tenant.' })
export class DeviceChange {
  @Field(() => DeviceChangeKind)
  kind!: DeviceChangeKind;

  @Field(() => ID)
  deviceId!: string;

  /** Not a GraphQL field: used to resolve `device` within the subscriber's tenant. */
  tenantId!: string;

  /** Reported status for STATUS changes. */
  reportedStatus!: DeviceStatus | null;

  @Field(() => Date, { description: 'When the change happened.' })
  at!: Date;
}
