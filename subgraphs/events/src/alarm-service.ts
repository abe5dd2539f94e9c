import { Cursor, UniqueConstraintViolationException, type EntityManager, type FilterQuery, type MikroORM } from '@mikro-orm/core';
import {
  ArgusError, ErrorCode, TickBatcher, badInput, checkPageArgs, newId, notFound, requireTenant,
  type Bus, type BusEvent, type BusSubscription, type CallerContext, type ChannelDirectory, type ConnectionShape,
  type BlobStore, type Logger, type PageArgs, connectionFromCursor } from '@argus/platform';
import { Alarm } from './entities/alarm.js';
import { AlarmSource, AlarmState, LIMITS, type AlarmRecord } from './alarm-model.js';
import { buildAlarmWhere, type AlarmFilterShape, type AlarmScope } from './alarm-filter.js';
import { extractPictures, type PictureUpload } from './pictures.js';
import type { GroupDevices } from './group-devices.js';
import { nextAlarmState, type AlarmAction } from './alarm-state.js';
import {
  ALARM_ACKNOWLEDGED_SUBJECT, ALARM_CLEARED_SUBJECT, ALARM_RAISED_SUBJECT,
  alarmFromEvent, alarmRaisedEventOf, checkRaiseAlarmInput, derivedAlarmId, type RaiseAlarmInputShape,
} from './alarm-event.js';

/** Work-queue group storing `alarm.raised` events from every publisher. */
export const ALARM_STORE_GROUP = 'events-alarms';
export const DEVICE_CLEANUP_GROUP = 'events-device-cleanup';
export const DEFAULT_PAGE_SIZE = 50;
/** Most alarms stored in one insert. */
const STORE_BATCH_MAX = 200;

export type StoreOutcome = 'stored' | 'duplicate' | 'invalid';

/**
 * Alarms: raised by integrators (raiseAlarm) or by drivers on the bus, stored once
 * (idempotent by alarm id and by tenant + dedupeKey), listed and handled per tenant.
 */
export class AlarmService {
  private readonly storer = new TickBatcher<BusEvent<unknown>, StoreOutcome>((events) => this.storeBatch(events), { maxBatch: STORE_BATCH_MAX });

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly channels: ChannelDirectory,
    private readonly logger: Logger,
    private readonly blobs: BlobStore,
    private readonly groups: GroupDevices,
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork();
  }

  /** Subscribes the bus consumers; returns the subscriptions (to stop them). */
  async start(): Promise<BusSubscription[]> {
    return [
      await this.bus.subscribe(ALARM_RAISED_SUBJECT, (e) => this.store(e).then(() => undefined), { group: ALARM_STORE_GROUP }),
      await this.bus.subscribe<{ tenantId?: string; deviceId?: string }>(
        'device.deleted',
        async (e) => {
          // alarms are history: they stay, still readable by id and in lists (channel/device then resolve to null)
          if (!e.data.tenantId || !e.data.deviceId) return;
          const kept = await this.em().count(Alarm, { tenantId: e.data.tenantId, deviceId: e.data.deviceId });
          this.logger.debug({ deviceId: e.data.deviceId, kept }, 'device deleted; its alarms are kept as history');
        },
        { group: DEVICE_CLEANUP_GROUP },
      ),
    ];
  }

  /**
   * Stores an `alarm.raised` event unless it is already stored (same id, or same tenant and
   * dedupeKey): raiseAlarm's own events and redeliveries are no-ops. Malformed payloads are
   * logged and acknowledged (retrying cannot fix them); database failures reject for redelivery.
   * Events handed over in the same turn of the event loop are stored together: one query for
   * the ones already there, one insert for the rest.
   */
  store(event: BusEvent<unknown>): Promise<StoreOutcome> {
    return this.storer.add(event);
  }

  private async storeBatch(events: BusEvent<unknown>[]): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = new Array(events.length);
    const fresh: { index: number; record: AlarmRecord; uploads: PictureUpload[] }[] = [];
    events.forEach((event, index) => {
      const parsed = alarmFromEvent(event.data, event);
      if (!parsed.ok) {
        this.logger.warn({ eventId: event.id, reason: parsed.reason }, 'alarm.raised event ignored');
        outcomes[index] = 'invalid';
        return;
      }
      for (const warning of parsed.warnings) {
        this.logger.warn({ eventId: event.id, alarmId: parsed.alarm.id, deviceId: parsed.alarm.deviceId }, `alarm.raised: ${warning}`);
      }
      fresh.push({ index, record: parsed.alarm, uploads: parsed.uploads });
    });
    if (fresh.length === 0) return outcomes;
    const em = this.em();
    // already stored, or twice in this batch: duplicates
    const known = new Set<string>();
    const keyOf = (tenantId: string, dedupeKey: string) => `${tenantId}\u0000${dedupeKey}`;
    const keysByTenant = new Map<string, string[]>();
    for (const { record } of fresh) {
      if (record.dedupeKey) keysByTenant.set(record.tenantId, [...(keysByTenant.get(record.tenantId) ?? []), record.dedupeKey]);
    }
    const or: FilterQuery<Alarm>[] = [{ id: { $in: fresh.map((f) => f.record.id) } }];
    for (const [tenantId, keys] of keysByTenant) or.push({ tenantId, dedupeKey: { $in: keys } });
    for (const a of await em.find(Alarm, { $or: or }, { fields: ['id', 'tenantId', 'dedupeKey'] })) {
      known.add(a.id);
      if (a.dedupeKey) known.add(keyOf(a.tenantId, a.dedupeKey));
    }
    const toInsert: typeof fresh = [];
    for (const f of fresh) {
      const dedupe = f.record.dedupeKey ? keyOf(f.record.tenantId, f.record.dedupeKey) : null;
      if (known.has(f.record.id) || (dedupe && known.has(dedupe))) {
        outcomes[f.index] = 'duplicate';
        continue;
      }
      known.add(f.record.id);
      if (dedupe) known.add(dedupe);
      toInsert.push(f);
    }
    // pictures first: a stored alarm never points at a picture that is not there (keys are
    // derived from the alarm id, so a redelivery rewrites the same files)
    await Promise.all(toInsert.map((f) => this.putPictures(f.uploads)));
    try {
      if (toInsert.length) await em.insertMany(Alarm, toInsert.map((f) => ({ ...f.record })));
      for (const f of toInsert) outcomes[f.index] = 'stored';
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      // another process stored one of them meanwhile: one by one, so only that one is a duplicate
      for (const f of toInsert) {
        try {
          await this.em().insert(Alarm, { ...f.record });
          outcomes[f.index] = 'stored';
        } catch (e) {
          if (!(e instanceof UniqueConstraintViolationException)) throw e;
          outcomes[f.index] = 'duplicate';
        }
      }
    }
    return outcomes;
  }

  private async putPictures(uploads: PictureUpload[]): Promise<void> {
    for (const u of uploads) await this.blobs.put(u.key, u.bytes, u.contentType);
  }

  private findExisting(em: EntityManager, r: Pick<AlarmRecord, 'id' | 'tenantId' | 'dedupeKey'>): Promise<Alarm | null> {
    const or: FilterQuery<Alarm>[] = [{ id: r.id }];
    if (r.dedupeKey) or.push({ tenantId: r.tenantId, dedupeKey: r.dedupeKey });
    return em.findOne(Alarm, { $or: or });
  }

  /**
   * raiseAlarm: checks input and the channel (NOT_FOUND for unknown or another tenant's),
   * stores, then publishes `alarm.raised`. A known dedupeKey returns the stored alarm, with
   * no new row and no second event.
   */
  async raise(caller: CallerContext, input: RaiseAlarmInputShape): Promise<Alarm> {
    const tenantId = requireTenant(caller);
    const checked = checkRaiseAlarmInput(input);
    const channel = await this.channels.require(caller, checked.channelId).catch((err: unknown) => {
      if (err instanceof ArgusError) throw err;
      this.logger.warn({ err }, 'channel lookup failed');
      throw new ArgusError(ErrorCode.UNAVAILABLE, 'cannot check the channel right now (devices subgraph unreachable); try again');
    });
    if (channel.tenantId !== tenantId) throw notFound('channel', checked.channelId);
    const em = this.em();
    if (checked.dedupeKey) {
      const existing = await em.findOne(Alarm, { tenantId, dedupeKey: checked.dedupeKey });
      if (existing) return existing;
    }
    const id = checked.dedupeKey ? derivedAlarmId(tenantId, checked.dedupeKey, '') : newId('alm');
    const pictures = checked.hasPictures
      ? extractPictures(input.attributes ?? null, { tenantId, alarmId: id }, { strict: true, field: 'input.attributes' })
      : null;
    if (pictures) await this.putPictures(pictures.uploads);
    const alarm = em.create(Alarm, {
      id,
      tenantId,
      deviceId: channel.deviceId,
      channelId: channel.id,
      type: input.type,
      sourceCode: checked.sourceCode,
      source: AlarmSource.MANUAL,
      level: input.level,
      status: input.status,
      state: AlarmState.NEW,
      description: checked.description,
      occurredAt: checked.occurredAt,
      receivedAt: new Date(),
      dedupeKey: checked.dedupeKey,
      attributes: checked.attributes,
      pictures: pictures?.pictures.length ? JSON.stringify(pictures.pictures) : null,
    });
    try {
      await em.persistAndFlush(alarm);
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      // a concurrent raise (or a driver) stored the same key first: that one wins, and published
      const winner = await this.findExisting(this.em(), alarm);
      if (winner) return winner;
      throw err;
    }
    try {
      await this.bus.publish(ALARM_RAISED_SUBJECT, alarmRaisedEventOf(alarm), { id: alarm.id });
    } catch (err) {
      // stored is stored; live subscribers miss this one
      this.logger.error({ err, alarmId: alarm.id }, 'could not publish alarm.raised');
    }
    return alarm;
  }

  /** The caller's alarm, or null. */
  get(caller: CallerContext, id: string): Promise<Alarm | null> {
    return this.em().findOne(Alarm, { id, tenantId: requireTenant(caller) });
  }

  /** For federation references: tenant-scoped, except for service and tenant-less admin callers (as devices does). */
  resolveReference(caller: CallerContext, id: string): Promise<Alarm | null> {
    if (caller.role === 'ANONYMOUS') return Promise.resolve(null);
    if (!caller.tenantId && (caller.role === 'SERVICE' || caller.role === 'ADMIN')) return this.em().findOne(Alarm, { id });
    if (!caller.tenantId) return Promise.resolve(null);
    return this.em().findOne(Alarm, { id, tenantId: caller.tenantId });
  }

  /** A Relay page of the caller's alarms, newest first (occurredAt desc, id desc). */
  async list(
    caller: CallerContext,
    filter: AlarmFilterShape | null | undefined,
    page: PageArgs,
    scope: { channelId?: string } = {},
  ): Promise<ConnectionShape<Alarm>> {
    const tenantId = requireTenant(caller);
    checkPageArgs(page);
    for (const field of ['after', 'before'] as const) {
      const c = page[field];
      if (c != null && !isAlarmCursor(c)) throw badInput(field, 'is not a cursor of this connection (use pageInfo.endCursor / startCursor)');
    }
    if (page.after != null && page.before != null) throw badInput('after', 'pass either after or before, not both');
    const fullScope: AlarmScope = { ...scope };
    if (filter?.groupId) {
      buildAlarmWhere(tenantId, filter, scope); // refuses a bad filter before asking devices
      fullScope.deviceIds = await this.groups.deviceIds(caller, filter.groupId, filter.includeSubgroups ?? false);
    }
    const where = buildAlarmWhere(tenantId, filter, fullScope) as FilterQuery<Alarm>;
    const first = page.first ?? (page.last == null ? DEFAULT_PAGE_SIZE : undefined);
    const cursor = await this.em().findByCursor(Alarm, where, {
      first,
      last: page.last ?? undefined,
      after: page.after ?? undefined,
      before: page.before ?? undefined,
      orderBy: { occurredAt: 'desc', id: 'desc' },
      includeCount: true,
    });
    return connectionFromCursor(cursor);
  }

  acknowledge(caller: CallerContext, id: string, note?: string | null): Promise<Alarm> {
    const trimmed = note?.trim() || null;
    if (trimmed && trimmed.length > LIMITS.note) throw badInput('note', `must be at most ${LIMITS.note} characters`);
    return this.transition(caller, id, 'ACKNOWLEDGE', (at, by) => ({ acknowledgedAt: at, acknowledgedBy: by, acknowledgeNote: trimmed }));
  }

  clear(caller: CallerContext, id: string): Promise<Alarm> {
    return this.transition(caller, id, 'CLEAR', (at, by) => ({ clearedAt: at, clearedBy: by }));
  }

  /**
   * Moves an alarm to its next state with a compare-and-set on the current state, so two
   * concurrent calls cannot both succeed; the loser gets the CONFLICT of the new state.
   */
  private async transition(
    caller: CallerContext,
    id: string,
    action: AlarmAction,
    changes: (at: Date, by: string) => Partial<AlarmRecord>,
  ): Promise<Alarm> {
    const tenantId = requireTenant(caller);
    const em = this.em();
    const alarm = await em.findOne(Alarm, { id, tenantId });
    if (!alarm) throw notFound('alarm', id);
    const next = nextAlarmState(id, alarm.state, action);
    const at = new Date();
    const by = (caller.appId ?? caller.role.toLowerCase()).slice(0, LIMITS.actor);
    const updated = await em.nativeUpdate(Alarm, { id, tenantId, state: alarm.state }, { state: next, ...changes(at, by) });
    const fresh = await this.em().findOneOrFail(Alarm, { id, tenantId });
    if (updated !== 1) {
      nextAlarmState(id, fresh.state, action); // throws the CONFLICT describing the state another caller set
      throw new ArgusError(ErrorCode.CONFLICT, `alarm ${id} changed while it was being ${action.toLowerCase()}d; try again`, { id });
    }
    const subject = action === 'ACKNOWLEDGE' ? ALARM_ACKNOWLEDGED_SUBJECT : ALARM_CLEARED_SUBJECT;
    try {
      await this.bus.publish(subject, { tenantId, alarmId: id, deviceId: fresh.deviceId, channelId: fresh.channelId, state: next, at: at.toISOString(), by });
    } catch (err) {
      this.logger.error({ err, alarmId: id }, `could not publish ${subject}`);
    }
    return fresh;
  }
}

/** Whether a string is a cursor of the alarms connection: base64url JSON [occurredAt, id]. */
export function isAlarmCursor(value: string): boolean {
  try {
    const v = Cursor.decode(value);
    return Array.isArray(v) && v.length === 2 && v[0] instanceof Date && typeof v[1] === 'string';
  } catch {
    return false;
  }
}
