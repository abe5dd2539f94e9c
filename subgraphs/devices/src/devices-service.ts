import { UniqueConstraintViolationException, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/core';
import {
  ArgusError, ErrorCode, badInput, requireTenant,
  type CallerContext, type ConnectionShape, type Logger, type PageArgs, type ServiceRuntime,
} from '@argus/platform';
import { Device } from './entities/device.js';
import { Channel } from './entities/channel.js';
import { DeviceGroup } from './entities/device-group.js';
import { ChannelStatus, DeviceStatus, LIMITS, STATUS_GROUP, SUBJECTS } from './model.js';
import {
  CHANNEL_SORT_SPEC, buildChannelWhere, buildDeviceWhere, deviceSortSpec, likePrefix,
  type ChannelFilterShape, type DeviceFilterShape, type DeviceOrderShape,
} from './filters.js';
import { keysetOrderBy, pageOf, pageWhere, planPage, type SortSpec } from './paging.js';
import { childPath, maxDepth, moveMakesCycle, rewriteSubtreePaths } from './group-paths.js';
import { groupBy } from './batch.js';
import {
  checkChannelInput, checkChannelPatch, checkCreateDevice, checkName, checkUpdateDevice, parseStatusEvent,
  type ChannelInputShape, type CreateDeviceInputShape, type UpdateDeviceInputShape,
} from './validation.js';

type Event = { subject: string; data: Record<string, unknown> };

const missing = (what: string, id: string, field: string) =>
  new ArgusError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { field, id });

/** True when the caller may see rows of this tenant (SERVICE, and ADMIN outside a tenant, see all). */
export function canSee(caller: CallerContext, tenantId: string): boolean {
  if (caller.role === 'SERVICE' && !caller.tenantId) return true;
  if (caller.role === 'ADMIN' && !caller.tenantId) return true;
  return caller.role !== 'ANONYMOUS' && caller.tenantId === tenantId;
}

/**
 * Devices, channels and the group tree of each tenant. Every operation is scoped to the caller's
 * tenant; a row of another tenant is indistinguishable from a missing one. Multi-row writes are
 * transactions; bus events go out after the commit.
 */
export class DevicesService {
  constructor(
    private readonly orm: MikroORM,
    private readonly runtime: ServiceRuntime,
    private readonly logger: Logger,
  ) {}

  em(): EntityManager {
    return this.orm.em.fork();
  }

  /** Applies device.status reports from the access plane (work queue: one instance handles each). */
  async start() {
    return [
      await this.runtime.bus.subscribe(SUBJECTS.deviceStatus, async (e) => {
        await this.applyStatus(e.data);
      }, { group: STATUS_GROUP }),
    ];
  }

  // ---------------------------------------------------------------- reads

  async device(caller: CallerContext, id: string): Promise<Device | null> {
    return this.em().findOne(Device, { id, tenantId: requireTenant(caller) });
  }

  async channel(caller: CallerContext, id: string): Promise<Channel | null> {
    return this.em().findOne(Channel, { id, tenantId: requireTenant(caller) });
  }

  async group(caller: CallerContext, id: string): Promise<DeviceGroup | null> {
    return this.em().findOne(DeviceGroup, { id, tenantId: requireTenant(caller) });
  }

  async rootGroups(caller: CallerContext): Promise<DeviceGroup[]> {
    return this.em().find(DeviceGroup, { tenantId: requireTenant(caller), parentId: null }, { orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  }

  listDevices(
    caller: CallerContext,
    filter: DeviceFilterShape | null | undefined,
    order: DeviceOrderShape | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<Device>> {
    return this.listDevicesOf(requireTenant(caller), filter, order, page);
  }

  /** Devices of a tenant the caller was already checked against (e.g. DeviceGroup.devices of a visible group). */
  async listDevicesOf(
    tenantId: string,
    filter: DeviceFilterShape | null | undefined,
    order: DeviceOrderShape | null | undefined,
    page: PageArgs,
  ): Promise<ConnectionShape<Device>> {
    const spec = deviceSortSpec(order);
    const plan = planPage(spec, page);
    const em = this.em();
    let subtree: string[] | null = null;
    if (filter?.groupId && filter.includeSubgroups) {
      const root = await em.findOne(DeviceGroup, { id: filter.groupId, tenantId });
      subtree = root ? (await em.find(DeviceGroup, { tenantId, ...likePrefix('path', root.path) }, { fields: ['id'] })).map((g) => g.id) : [];
      if (subtree.length === 0) subtree = [filter.groupId];
    }
    return this.page(em, Device, spec, plan, () => buildDeviceWhere(tenantId, filter, subtree));
  }

  async listChannels(caller: CallerContext, filter: ChannelFilterShape | null | undefined, page: PageArgs): Promise<ConnectionShape<Channel>> {
    const tenantId = requireTenant(caller);
    const plan = planPage(CHANNEL_SORT_SPEC, page);
    return this.page(this.em(), Channel, CHANNEL_SORT_SPEC, plan, () => buildChannelWhere(tenantId, filter));
  }

  private async page<T extends object>(
    em: EntityManager,
    entity: new () => T,
    spec: SortSpec,
    plan: ReturnType<typeof planPage>,
    filter: () => Record<string, unknown>,
  ): Promise<ConnectionShape<T>> {
    const [rows, totalCount] = await Promise.all([
      em.find(entity, pageWhere(spec, plan, filter()) as FilterQuery<T>, { orderBy: keysetOrderBy(spec, plan.backward) as any, limit: plan.size + 1 }),
      em.fork().count(entity, filter() as FilterQuery<T>),
    ]);
    return { ...pageOf(spec, plan, rows), totalCount };
  }

  // Batch fetches for per-request loaders (no tenant filter: callers check visibility).
  async devicesByIds(ids: string[]): Promise<Map<string, Device>> {
    const rows = await this.em().find(Device, { id: { $in: ids } });
    return new Map(rows.map((d) => [d.id, d]));
  }

  async channelsByIds(ids: string[]): Promise<Map<string, Channel>> {
    const rows = await this.em().find(Channel, { id: { $in: ids } });
    return new Map(rows.map((c) => [c.id, c]));
  }

  async groupsByIds(ids: string[]): Promise<Map<string, DeviceGroup>> {
    const rows = await this.em().find(DeviceGroup, { id: { $in: ids } });
    return new Map(rows.map((g) => [g.id, g]));
  }

  async channelsByDeviceIds(deviceIds: string[]): Promise<Map<string, Channel[]>> {
    const rows = await this.em().find(Channel, { deviceId: { $in: deviceIds } }, { orderBy: [{ deviceId: 'asc' }, { index: 'asc' }] });
    return groupBy(rows, (c) => c.deviceId);
  }

  async childrenByParentIds(parentIds: string[]): Promise<Map<string, DeviceGroup[]>> {
    const rows = await this.em().find(DeviceGroup, { parentId: { $in: parentIds } }, { orderBy: [{ name: 'asc' }, { id: 'asc' }] });
    return groupBy(rows, (g) => g.parentId!);
  }

  /** Device login for the access plane (in-process callers only; never exposed through GraphQL). */
  async credentialsOf(deviceId: string): Promise<{ username: string | null; password: string | null } | null> {
    const d = await this.em().findOne(Device, { id: deviceId });
    if (!d) return null;
    return { username: d.username, password: d.passwordSealed ? this.runtime.secrets.open(d.passwordSealed, d.id) : null };
  }

  // ---------------------------------------------------------------- devices

  async createDevice(caller: CallerContext, input: CreateDeviceInputShape): Promise<Device> {
    const tenantId = requireTenant(caller);
    const plan = checkCreateDevice(input);
    const events: Event[] = [];
    const device = await this.write({ field: 'deviceCode', message: `a device with code "${plan.deviceCode}" already exists in this tenant` }, async (tx) => {
      if (plan.groupId && !(await tx.findOne(DeviceGroup, { id: plan.groupId, tenantId }))) throw missing('group', plan.groupId, 'groupId');
      if (await tx.findOne(Device, { tenantId, deviceCode: plan.deviceCode })) {
        throw new ArgusError(ErrorCode.CONFLICT, `a device with code "${plan.deviceCode}" already exists in this tenant`, { field: 'deviceCode' });
      }
      const now = new Date();
      const d = new Device();
      Object.assign(d, {
        tenantId, groupId: plan.groupId, name: plan.name, protocol: plan.protocol, deviceCode: plan.deviceCode,
        vendor: plan.vendor, model: plan.model, firmware: plan.firmware, address: plan.address, username: plan.username,
        createdAt: now, updatedAt: now,
      });
      d.passwordSealed = plan.password === null ? null : this.runtime.secrets.seal(plan.password, d.id);
      tx.persist(d);
      await tx.flush(); // the device row first: channels reference it
      for (const spec of plan.channels) {
        const c = new Channel();
        Object.assign(c, { ...spec, tenantId, deviceId: d.id, status: d.status as unknown as ChannelStatus, createdAt: now });
        tx.persist(c);
        events.push({ subject: SUBJECTS.channelCreated, data: { tenantId, deviceId: d.id, channelId: c.id } });
      }
      await tx.flush();
      return d;
    });
    await this.publish([{ subject: SUBJECTS.deviceCreated, data: { tenantId, deviceId: device.id } }, ...events]);
    return device;
  }

  async updateDevice(caller: CallerContext, id: string, input: UpdateDeviceInputShape): Promise<Device> {
    const tenantId = requireTenant(caller);
    const patch = checkUpdateDevice(input);
    const device = await this.write({ field: 'deviceCode', message: `a device with code "${patch.deviceCode}" already exists in this tenant` }, async (tx) => {
      const d = await tx.findOne(Device, { id, tenantId });
      if (!d) throw missing('device', id, 'id');
      if (patch.deviceCode !== undefined && patch.deviceCode !== d.deviceCode) {
        if (await tx.findOne(Device, { tenantId, deviceCode: patch.deviceCode, id: { $ne: id } })) {
          throw new ArgusError(ErrorCode.CONFLICT, `a device with code "${patch.deviceCode}" already exists in this tenant`, { field: 'deviceCode' });
        }
      }
      const { password, ...rest } = patch;
      Object.assign(d, rest);
      if (password !== undefined) d.passwordSealed = password === null ? null : this.runtime.secrets.seal(password, d.id);
      d.updatedAt = new Date();
      await tx.flush();
      return d;
    });
    await this.publish([{ subject: SUBJECTS.deviceUpdated, data: { tenantId, deviceId: id } }]);
    return device;
  }

  /** Deletes a device and its channels in one transaction; returns the device id. */
  async deleteDevice(caller: CallerContext, id: string): Promise<string> {
    const tenantId = requireTenant(caller);
    const channelIds = await this.em().transactional(async (tx) => {
      const d = await tx.findOne(Device, { id, tenantId }, { disableIdentityMap: true });
      if (!d) throw missing('device', id, 'id');
      const channels = await tx.find(Channel, { deviceId: id }, { fields: ['id'], orderBy: { index: 'asc' }, disableIdentityMap: true });
      await tx.nativeDelete(Channel, { deviceId: id });
      await tx.nativeDelete(Device, { id });
      return channels.map((c) => c.id);
    });
    await this.publish([
      { subject: SUBJECTS.deviceDeleted, data: { tenantId, deviceId: id, channelIds } },
      ...channelIds.map((channelId) => ({ subject: SUBJECTS.channelDeleted, data: { tenantId, deviceId: id, channelId } })),
    ]);
    return id;
  }

  async moveDevice(caller: CallerContext, deviceId: string, groupId: string | null): Promise<Device> {
    const tenantId = requireTenant(caller);
    let changed = false;
    const device = await this.em().transactional(async (tx) => {
      const d = await tx.findOne(Device, { id: deviceId, tenantId });
      if (!d) throw missing('device', deviceId, 'deviceId');
      if (groupId && !(await tx.findOne(DeviceGroup, { id: groupId, tenantId }))) throw missing('group', groupId, 'groupId');
      if (d.groupId !== (groupId ?? null)) {
        d.groupId = groupId ?? null;
        d.updatedAt = new Date();
        changed = true;
      }
      return d;
    });
    if (changed) await this.publish([{ subject: SUBJECTS.deviceUpdated, data: { tenantId, deviceId } }]);
    return device;
  }

  // ---------------------------------------------------------------- channels

  async addChannel(caller: CallerContext, deviceId: string, input: ChannelInputShape): Promise<Channel> {
    const tenantId = requireTenant(caller);
    const channel = await this.write({ field: 'index', message: `the device already has a channel with index ${input.index}` }, async (tx) => {
      const d = await tx.findOne(Device, { id: deviceId, tenantId });
      if (!d) throw missing('device', deviceId, 'deviceId');
      const spec = checkChannelInput(input, d.name);
      if (await tx.findOne(Channel, { deviceId, index: spec.index })) {
        throw new ArgusError(ErrorCode.CONFLICT, `device ${deviceId} already has a channel with index ${spec.index}`, { field: 'index' });
      }
      const c = new Channel();
      Object.assign(c, { ...spec, tenantId, deviceId, status: d.status as unknown as ChannelStatus });
      tx.persist(c);
      return c;
    });
    await this.publish([{ subject: SUBJECTS.channelCreated, data: { tenantId, deviceId, channelId: channel.id } }]);
    return channel;
  }

  async updateChannel(caller: CallerContext, id: string, input: ChannelInputShape): Promise<Channel> {
    const tenantId = requireTenant(caller);
    const patch = checkChannelPatch(input);
    const channel = await this.write({ field: 'index', message: `the device already has a channel with index ${patch.index}` }, async (tx) => {
      const c = await tx.findOne(Channel, { id, tenantId });
      if (!c) throw missing('channel', id, 'id');
      if (patch.index !== undefined && patch.index !== c.index && (await tx.findOne(Channel, { deviceId: c.deviceId, index: patch.index }))) {
        throw new ArgusError(ErrorCode.CONFLICT, `device ${c.deviceId} already has a channel with index ${patch.index}`, { field: 'index' });
      }
      Object.assign(c, patch);
      return c;
    });
    await this.publish([{ subject: SUBJECTS.channelUpdated, data: { tenantId, deviceId: channel.deviceId, channelId: id } }]);
    return channel;
  }

  async deleteChannel(caller: CallerContext, id: string): Promise<string> {
    const tenantId = requireTenant(caller);
    const deviceId = await this.em().transactional(async (tx) => {
      const c = await tx.findOne(Channel, { id, tenantId }, { disableIdentityMap: true });
      if (!c) throw missing('channel', id, 'id');
      await tx.nativeDelete(Channel, { id });
      return c.deviceId;
    });
    await this.publish([{ subject: SUBJECTS.channelDeleted, data: { tenantId, deviceId, channelId: id } }]);
    return id;
  }

  // ---------------------------------------------------------------- groups

  async createGroup(caller: CallerContext, name: string, parentId: string | null): Promise<DeviceGroup> {
    const tenantId = requireTenant(caller);
    const clean = checkName(name);
    return this.write({ field: 'name', message: `a group named "${clean}" already exists here` }, async (tx) => {
      const parent = parentId ? await tx.findOne(DeviceGroup, { id: parentId, tenantId }) : null;
      if (parentId && !parent) throw missing('group', parentId, 'parentId');
      if (parent && parent.depth + 1 > LIMITS.maxGroupDepth) throw badInput('parentId', `groups nest at most ${LIMITS.maxGroupDepth + 1} levels deep`);
      await this.assertSiblingNameFree(tx, tenantId, parent?.id ?? null, clean, null);
      const g = new DeviceGroup();
      g.tenantId = tenantId;
      g.parentId = parent?.id ?? null;
      g.parentKey = parent?.id ?? '';
      g.name = clean;
      g.path = childPath(parent?.path ?? null, g.id);
      g.depth = parent ? parent.depth + 1 : 0;
      tx.persist(g);
      return g;
    });
  }

  async renameGroup(caller: CallerContext, id: string, name: string): Promise<DeviceGroup> {
    const tenantId = requireTenant(caller);
    const clean = checkName(name);
    return this.write({ field: 'name', message: `a group named "${clean}" already exists here` }, async (tx) => {
      const g = await tx.findOne(DeviceGroup, { id, tenantId });
      if (!g) throw missing('group', id, 'id');
      await this.assertSiblingNameFree(tx, tenantId, g.parentId, clean, g.id);
      g.name = clean;
      return g;
    });
  }

  /** Moves a group (with its subtree) under another group, or to the top with newParentId null. */
  async moveGroup(caller: CallerContext, id: string, newParentId: string | null): Promise<DeviceGroup> {
    const tenantId = requireTenant(caller);
    return this.write({ field: 'name', message: 'a group with the same name already exists under the new parent' }, async (tx) => {
      const g = await tx.findOne(DeviceGroup, { id, tenantId });
      if (!g) throw missing('group', id, 'id');
      const parent = newParentId ? await tx.findOne(DeviceGroup, { id: newParentId, tenantId }) : null;
      if (newParentId && !parent) throw missing('group', newParentId, 'newParentId');
      if (moveMakesCycle(g.path, parent?.path ?? null)) {
        throw badInput('newParentId', newParentId === id ? 'a group cannot be its own parent' : `group ${newParentId} is inside group ${id}; a group cannot move below itself`);
      }
      if ((parent?.id ?? null) === g.parentId) return g;
      await this.assertSiblingNameFree(tx, tenantId, parent?.id ?? null, g.name, g.id);
      const subtree = await tx.find(DeviceGroup, { tenantId, ...likePrefix('path', g.path) });
      const updates = rewriteSubtreePaths(subtree, g, parent?.path ?? null);
      if (maxDepth(updates) > LIMITS.maxGroupDepth) throw badInput('newParentId', `groups nest at most ${LIMITS.maxGroupDepth + 1} levels deep`);
      const byId = new Map(subtree.map((n) => [n.id, n]));
      for (const u of updates) Object.assign(byId.get(u.id)!, { path: u.path, depth: u.depth });
      g.parentId = parent?.id ?? null;
      g.parentKey = parent?.id ?? '';
      return g;
    });
  }

  /** Deletes an empty group; CONFLICT while it still holds devices or subgroups. */
  async deleteGroup(caller: CallerContext, id: string): Promise<string> {
    const tenantId = requireTenant(caller);
    await this.em().transactional(async (tx) => {
      const g = await tx.findOne(DeviceGroup, { id, tenantId }, { disableIdentityMap: true });
      if (!g) throw missing('group', id, 'id');
      const [devices, children] = await Promise.all([tx.count(Device, { groupId: id }), tx.count(DeviceGroup, { parentId: id })]);
      if (devices || children) {
        const what = [devices ? `${devices} device(s)` : '', children ? `${children} subgroup(s)` : ''].filter(Boolean).join(' and ');
        throw new ArgusError(ErrorCode.CONFLICT, `group ${id} still holds ${what}; move or delete them first`, { field: 'id', devices, subgroups: children });
      }
      await tx.nativeDelete(DeviceGroup, { id });
    });
    return id;
  }

  private async assertSiblingNameFree(tx: EntityManager, tenantId: string, parentId: string | null, name: string, exceptId: string | null) {
    const where: FilterQuery<DeviceGroup> = { tenantId, parentKey: parentId ?? '', name };
    if (exceptId) (where as Record<string, unknown>).id = { $ne: exceptId };
    if (await tx.findOne(DeviceGroup, where)) {
      throw new ArgusError(ErrorCode.CONFLICT, `a group named "${name}" already exists ${parentId ? `in group ${parentId}` : 'at the top level'}`, { field: 'name' });
    }
  }

  // ---------------------------------------------------------------- status

  /**
   * Applies one device.status report. Idempotent and order-tolerant: the status follows the newest
   * report (an older or repeated one leaves it alone); lastSeenAt is the newest ONLINE report's time.
   * Subscribers hear of actual status changes only (device.status.changed).
   */
  async applyStatus(data: unknown): Promise<boolean> {
    const report = parseStatusEvent(data);
    if (!report) {
      this.logger.warn({ data }, 'ignored malformed device.status event');
      return false;
    }
    const { tenantId, deviceId, status, at } = report;
    // native statements only (no managed entity whose flush could write back stale values)
    const changed = await this.em().transactional(async (tx) => {
      const d = await tx.findOne(Device, { id: deviceId, tenantId }, { disableIdentityMap: true, fields: ['id', 'status', 'statusAt'] });
      if (!d) return false;
      if (status === DeviceStatus.ONLINE) {
        // any ONLINE report, even a late one, proves the device was seen then
        await tx.nativeUpdate(Device, { id: deviceId, tenantId, $or: [{ lastSeenAt: null }, { lastSeenAt: { $lt: at } }] }, { lastSeenAt: at });
      }
      if (d.statusAt && at.getTime() <= d.statusAt.getTime()) return false;
      // compare-and-set on statusAt: of two reports handled at once, only the newer one lands;
      // the database tells whether the status actually changed
      const newer = { id: deviceId, tenantId, $or: [{ statusAt: null }, { statusAt: { $lt: at } }] };
      const flipped = await tx.nativeUpdate(Device, { ...newer, status: { $ne: status as DeviceStatus } }, { status: status as DeviceStatus, statusAt: at });
      if (flipped === 0) {
        await tx.nativeUpdate(Device, newer, { statusAt: at });
        return false;
      }
      await tx.nativeUpdate(Channel, { deviceId }, { status: status as unknown as ChannelStatus });
      return true;
    });
    if (changed) await this.publish([{ subject: SUBJECTS.deviceStatusChanged, data: { tenantId, deviceId, status, at: at.toISOString() } }]);
    return changed;
  }

  // ---------------------------------------------------------------- helpers

  /** A write transaction; a unique-constraint race becomes CONFLICT naming the field. */
  private async write<T>(unique: { field: string; message: string }, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.em().transactional(work);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new ArgusError(ErrorCode.CONFLICT, unique.message, { field: unique.field });
      throw err;
    }
  }

  /** Publishes after commit; a bus failure is logged (the write already happened). */
  private async publish(events: Event[]): Promise<void> {
    const at = new Date().toISOString();
    for (const e of events) {
      try {
        await this.runtime.bus.publish(e.subject, { at, ...e.data });
      } catch (err) {
        this.logger.error({ err, subject: e.subject }, 'could not publish event');
      }
    }
  }
}
