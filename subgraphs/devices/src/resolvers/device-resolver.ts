import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { busIterator, requireTenant, type BusEvent } from '@argus/platform';
import { Device } from '../entities/device.js';
import { Channel } from '../entities/channel.js';
import { DeviceGroup } from '../entities/device-group.js';
import { DeviceChangeKind, DeviceStatus } from '../graphql-enums.js';
import { SUBJECTS } from '../model.js';
import { canSee } from '../devices-service.js';
import type { DevicesContext } from '../context.js';
import { CreateDeviceInput, DeviceChange, DeviceConnection, DeviceFilter, DeviceOrder, UpdateDeviceInput } from './inputs.js';

const CHANGE_KIND_OF: Record<string, DeviceChangeKind> = {
  [SUBJECTS.deviceCreated]: DeviceChangeKind.CREATED,
  [SUBJECTS.deviceUpdated]: DeviceChangeKind.UPDATED,
  [SUBJECTS.deviceDeleted]: DeviceChangeKind.DELETED,
  [SUBJECTS.deviceStatusChanged]: DeviceChangeKind.STATUS,
};

interface DeviceEventData {
  tenantId?: string;
  deviceId?: string;
  status?: string;
  at?: string;
}

/** Turns a device.* bus event into a DeviceChange, or null for subjects that are not changes (e.g. raw device.status reports). */
export function deviceChangeOf(event: BusEvent<DeviceEventData>): DeviceChange | null {
  const kind = CHANGE_KIND_OF[event.subject];
  const { tenantId, deviceId } = event.data ?? {};
  if (!kind || typeof tenantId !== 'string' || typeof deviceId !== 'string') return null;
  const at = event.data.at ? new Date(event.data.at) : new Date(event.publishedAt);
  const status = event.data.status === 'ONLINE' || event.data.status === 'OFFLINE' ? (event.data.status as DeviceStatus) : null;
  return { kind, deviceId, tenantId, reportedStatus: status, at: Number.isNaN(at.getTime()) ? new Date(event.publishedAt) : at };
}

@Resolver(() => Device)
export class DeviceResolver {
  @Query(() => Device, { nullable: true, description: 'A device of the caller\'s tenant; null when there is none with this id.' })
  device(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<Device | null> {
    return ctx.devices.device(ctx.caller, id);
  }

  @Query(() => DeviceConnection, { description: 'Devices of the caller\'s tenant. Default order NAME ASC; default page first 50, at most 500.' })
  devices(
    @Ctx() ctx: DevicesContext,
    @Arg('filter', () => DeviceFilter, { nullable: true }) filter: DeviceFilter | null,
    @Arg('orderBy', () => DeviceOrder, { nullable: true }) orderBy: DeviceOrder | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<DeviceConnection> {
    return ctx.devices.listDevices(ctx.caller, filter, orderBy, { first, after, last, before });
  }

  @Mutation(() => Device, { description: 'Creates a device, optionally with its channels. CONFLICT when the device code is taken in the tenant.' })
  createDevice(@Ctx() ctx: DevicesContext, @Arg('input', () => CreateDeviceInput) input: CreateDeviceInput): Promise<Device> {
    return ctx.devices.createDevice(ctx.caller, input);
  }

  @Mutation(() => Device, { description: 'Changes a device\'s configuration or credentials.' })
  updateDevice(
    @Ctx() ctx: DevicesContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateDeviceInput) input: UpdateDeviceInput,
  ): Promise<Device> {
    return ctx.devices.updateDevice(ctx.caller, id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a device and all its channels; returns the device id.' })
  deleteDevice(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<string> {
    return ctx.devices.deleteDevice(ctx.caller, id);
  }

  @Mutation(() => Device, { description: 'Puts a device in a group, or takes it out of its group with groupId null.' })
  moveDevice(
    @Ctx() ctx: DevicesContext,
    @Arg('deviceId', () => ID) deviceId: string,
    @Arg('groupId', () => ID, { nullable: true }) groupId: string | null,
  ): Promise<Device> {
    return ctx.devices.moveDevice(ctx.caller, deviceId, groupId ?? null);
  }

  @FieldResolver(() => Boolean, { description: 'A password is stored (it is never returned).' })
  hasPassword(@Root() device: Device): boolean {
    return device.passwordSealed != null;
  }

  @FieldResolver(() => [Channel], { description: 'The device\'s channels by index.' })
  async channels(@Root() device: Device, @Ctx() ctx: DevicesContext): Promise<Channel[]> {
    return (await ctx.loaders.channelsOfDevice.load(device.id)) ?? [];
  }

  @FieldResolver(() => DeviceGroup, { nullable: true })
  async group(@Root() device: Device, @Ctx() ctx: DevicesContext): Promise<DeviceGroup | null> {
    if (!device.groupId) return null;
    return (await ctx.loaders.group.load(device.groupId)) ?? null;
  }

  @Subscription(() => DeviceChange, {
    description: 'Devices of the caller\'s tenant being created, updated, deleted or going ONLINE/OFFLINE; only one device\'s with deviceId.',
    subscribe: ({ args, context }) => {
      const ctx = context as DevicesContext;
      const tenantId = requireTenant(ctx.caller);
      const only = (args as { deviceId?: string | null }).deviceId ?? null;
      return busIterator<DeviceEventData, DeviceChange>(ctx.bus, 'device.>', {
        filter: (event) => {
          const change = deviceChangeOf(event);
          return change !== null && change.tenantId === tenantId && (only === null || change.deviceId === only);
        },
        map: (event) => deviceChangeOf(event)!,
      });
    },
  })
  deviceChanged(@Root() change: DeviceChange, @Arg('deviceId', () => ID, { nullable: true }) _deviceId: string | null): DeviceChange {
    return change;
  }
}

@Resolver(() => DeviceChange)
export class DeviceChangeResolver {
  @FieldResolver(() => Device, { nullable: true, description: 'The device now; null once deleted.' })
  async device(@Root() change: DeviceChange, @Ctx() ctx: DevicesContext): Promise<Device | null> {
    if (change.kind === DeviceChangeKind.DELETED) return null;
    const d = await ctx.loaders.device.load(change.deviceId);
    return d && d.tenantId === change.tenantId && canSee(ctx.caller, d.tenantId) ? d : null;
  }

  @FieldResolver(() => DeviceStatus, { nullable: true, description: 'The reported status for STATUS; the current status otherwise (null once deleted).' })
  async status(@Root() change: DeviceChange, @Ctx() ctx: DevicesContext): Promise<DeviceStatus | null> {
    if (change.reportedStatus) return change.reportedStatus;
    return (await this.device(change, ctx))?.status ?? null;
  }
}
