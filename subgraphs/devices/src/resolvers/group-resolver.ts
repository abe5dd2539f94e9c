import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DeviceGroup } from '../entities/device-group.js';
import type { DevicesContext } from '../context.js';
import { DeviceConnection, DeviceFilter, DeviceOrder } from './inputs.js';

@Resolver(() => DeviceGroup)
export class GroupResolver {
  @Query(() => DeviceGroup, { nullable: true, description: 'A group of the caller\'s tenant; null when there is none with this id.' })
  group(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<DeviceGroup | null> {
    return ctx.devices.group(ctx.caller, id);
  }

  @Query(() => [DeviceGroup], { description: 'The root groups of the caller\'s tenant by name; walk the tree with `children`.' })
  groups(@Ctx() ctx: DevicesContext): Promise<DeviceGroup[]> {
    return ctx.devices.rootGroups(ctx.caller);
  }

  @Mutation(() => DeviceGroup, { description: 'Creates a group at the top level or under parentId. CONFLICT when a sibling has the same name.' })
  createGroup(
    @Ctx() ctx: DevicesContext,
    @Arg('name', () => String) name: string,
    @Arg('parentId', () => ID, { nullable: true }) parentId: string | null,
  ): Promise<DeviceGroup> {
    return ctx.devices.createGroup(ctx.caller, name, parentId ?? null);
  }

  @Mutation(() => DeviceGroup)
  renameGroup(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string, @Arg('name', () => String) name: string): Promise<DeviceGroup> {
    return ctx.devices.renameGroup(ctx.caller, id, name);
  }

  @Mutation(() => DeviceGroup, {
    description: 'Moves a group and everything below it under newParentId (null: to the top). BAD_USER_INPUT when newParentId is the group or below it.',
  })
  moveGroup(
    @Ctx() ctx: DevicesContext,
    @Arg('id', () => ID) id: string,
    @Arg('newParentId', () => ID, { nullable: true }) newParentId: string | null,
  ): Promise<DeviceGroup> {
    return ctx.devices.moveGroup(ctx.caller, id, newParentId ?? null);
  }

  @Mutation(() => ID, { description: 'Deletes an empty group; CONFLICT while it holds devices or subgroups. Returns its id.' })
  deleteGroup(@Ctx() ctx: DevicesContext, @Arg('id', () => ID) id: string): Promise<string> {
    return ctx.devices.deleteGroup(ctx.caller, id);
  }

  @FieldResolver(() => DeviceGroup, { nullable: true })
  async parent(@Root() group: DeviceGroup, @Ctx() ctx: DevicesContext): Promise<DeviceGroup | null> {
    return group.parentId ? ((await ctx.loaders.group.load(group.parentId)) ?? null) : null;
  }

  @FieldResolver(() => [DeviceGroup], { description: 'Subgroups by name.' })
  async children(@Root() group: DeviceGroup, @Ctx() ctx: DevicesContext): Promise<DeviceGroup[]> {
    return (await ctx.loaders.childrenOfGroup.load(group.id)) ?? [];
  }

  @FieldResolver(() => DeviceConnection, { description: 'Devices in this group (with includeSubgroups: in it or below it).' })
  devices(
    @Root() group: DeviceGroup,
    @Ctx() ctx: DevicesContext,
    @Arg('includeSubgroups', () => Boolean, { nullable: true, description: 'Default false.' }) includeSubgroups: boolean | null,
    @Arg('filter', () => DeviceFilter, { nullable: true, description: 'Further conditions; its groupId is ignored.' }) filter: DeviceFilter | null,
    @Arg('orderBy', () => DeviceOrder, { nullable: true }) orderBy: DeviceOrder | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<DeviceConnection> {
    return ctx.devices.listDevicesOf(
      group.tenantId,
      { ...(filter ?? {}), groupId: group.id, includeSubgroups: includeSubgroups ?? false },
      orderBy,
      { first, after, last, before },
    );
  }
}
