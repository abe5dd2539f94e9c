import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ArgusError, ErrorCode } from '@argus/platform';
import { Device } from '../entities/device.js';
import { Channel } from '../entities/channel.js';
import type { DevicesContext } from '../context.js';
import { ChannelConnection, ChannelFilter, ChannelInput, UpdateChannelInput } from './inputs.js';

@Resolver(() => Channel)
export class ChannelResolver {
  @Query(() => Channel, { nullable: true, description: 'A channel of the caller\'s tenant; null when there is none with this id.' })
  channel(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<Channel | null> {
    return ctx.devices.channel(ctx.caller, id);
  }

  @Query(() => ChannelConnection, { description: 'Channels of the caller\'s tenant, by device then index. Default page first 50, at most 500.' })
  channels(
    @Ctx() ctx: DevicesContext,
    @Arg('filter', () => ChannelFilter, { nullable: true }) filter: ChannelFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<ChannelConnection> {
    return ctx.devices.listChannels(ctx.caller, filter, { first, after, last, before });
  }

  @Mutation(() => Channel, { description: 'Adds a channel to a device. CONFLICT when the device already has a channel with this index.' })
  addChannel(
    @Ctx() ctx: DevicesContext,
    @Arg('deviceId', () => ID) deviceId: string,
    @Arg('input', () => ChannelInput) input: ChannelInput,
  ): Promise<Channel> {
    return ctx.devices.addChannel(ctx.caller, deviceId, input);
  }

  @Mutation(() => Channel)
  updateChannel(
    @Ctx() ctx: DevicesContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateChannelInput) input: UpdateChannelInput,
  ): Promise<Channel> {
    return ctx.devices.updateChannel(ctx.caller, id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a channel; returns its id.' })
  deleteChannel(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<string> {
    return ctx.devices.deleteChannel(ctx.caller, id);
  }

  @FieldResolver(() => Device)
  async device(@Root() channel: Channel, @Ctx() ctx: DevicesContext): Promise<Device> {
    const d = await ctx.loaders.device.load(channel.deviceId);
    if (!d) throw new ArgusError(ErrorCode.NOT_FOUND, `device ${channel.deviceId} does not exist`);
    return d;
  }
}
