import { raw, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { newId, type Bus, type BusEvent, type BusSubscription, type CallerContext, type Logger } from '@argus/platform';
import { UsageRecord } from './entities/usage-record.js';
import { UsageEvent } from './entities/usage-event.js';
import { PackageMode, ResourceType, UsageMetric } from './enums.js';
import { METRICS, chargeMicros } from './pricing.js';
import { coverageOfChannels, coverageOfDevice, type CoverageMap } from './coverage.js';
import { priceOf } from './packages.js';
import type { Accounts, AccountTransition, Clock } from './accounts.js';
import type { ChannelLookup } from './bindings.js';

/** Work-queue groups turning bus events into usage: one per subject (a JetStream group consumer has one filter). */
export const METERING_GROUP = 'billing-metering';
export const meteringGroupOf = (subject: string) => `${METERING_GROUP}-${subject.replace(/\./g, '-')}`;

/**
 * Events metered, and who publishes them:
 * - player.left (media server): a viewer's bytes and, with durationMs, its time, per play protocol;
 * - stream.closed (media server): how long a publisher (or pull) fed the stream, per ingest protocol;
 * - alarm.raised (drivers, raiseAlarm): one alarm, and the pictures it carries;
 * - talk.ended (talk): { tenantId, channelId, sessionId, durationMs };
 * - recording.storage (recording, daily): { tenantId, channelId, day, bytes, kind: 'RECORD' | 'MOTION' }.
 */
export const METERED_SUBJECTS = ['player.left', 'stream.closed', 'alarm.raised', 'talk.ended', 'recording.storage'] as const;

/** Readers that are Argus itself, not viewers. */
const INTERNAL_READERS = new Set(['SNAPSHOT', 'RECORDER', 'hls-segmenter']);

export interface UsageItem {
  /** '' for what belongs to a device rather than a channel (then `deviceId` is set). */
  channelId: string;
  deviceId?: string | null;
  metric: UsageMetric;
  protocol?: string;
  quantityBase: number;
  /** Which resource pays, when not the metric's usual one (MOTION storage). */
  resourceType?: ResourceType;
}

export interface MeteredEvent {
  /** Dedupe key: the same key is metered once. */
  key: string;
  tenantId: string | null;
  /** Channel to find the tenant by when the event does not name one. */
  channelId: string | null;
  at: Date;
  items: UsageItem[];
}

const SERVICE: CallerContext = { tenantId: null, appId: null, role: 'SERVICE' };
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);
const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 128 ? v : null);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What one bus event is worth (pure); null when it meters nothing. */
export function usageOf(event: BusEvent<unknown>): MeteredEvent | null {
  const d = (event.data ?? {}) as Record<string, any>;
  const at = new Date(event.publishedAt);
  switch (event.subject) {
    case 'player.left': {
      const channelId = str(d.channelId);
      const protocol = str(d.protocol);
      if (!channelId || !protocol || INTERNAL_READERS.has(protocol)) return null;
      const items: UsageItem[] = [{ channelId, metric: UsageMetric.EGRESS_BYTES, protocol, quantityBase: num(d.bytesOut) }];
      if (num(d.durationMs)) items.push({ channelId, metric: UsageMetric.VIEW_SECONDS, protocol, quantityBase: num(d.durationMs) });
      return { key: `evt:${event.id}`, tenantId: str(d.tenantId), channelId, at, items };
    }
    case 'stream.closed': {
      const channelId = str(d.channelId);
      const protocol = str(d.stats?.publisher?.protocol) ?? 'UNKNOWN';
      if (!channelId || protocol === 'INTERNAL') return null;
      const ms = num(d.stats?.uptimeSeconds) * 1000;
      if (!ms) return null;
      return { key: `evt:${event.id}`, tenantId: str(d.tenantId), channelId, at, items: [{ channelId, metric: UsageMetric.PUBLISH_SECONDS, protocol, quantityBase: ms }] };
    }
    case 'alarm.raised': {
      const tenantId = str(d.tenantId);
      const deviceId = str(d.deviceId);
      if (!tenantId || !deviceId) return null;
      const channelId = str(d.channelId) ?? '';
      const pictures = Array.isArray(d.attributes?.pictures) ? d.attributes.pictures.length : 0;
      const items: UsageItem[] = [{ channelId, deviceId, metric: UsageMetric.ALARMS, quantityBase: 1 }];
      if (pictures) items.push({ channelId, deviceId, metric: UsageMetric.PICTURES, quantityBase: pictures });
      // a device re-sending a report (same dedupeKey) raises one alarm, and is metered once
      const key = str(d.dedupeKey) ? `alarm:${tenantId}:${d.dedupeKey}` : `alarm:${str(d.alarmId) ?? event.id}`;
      return { key, tenantId, channelId: null, at, items };
    }
    case 'talk.ended': {
      const channelId = str(d.channelId);
      const ms = num(d.durationMs);
      if (!channelId || !ms) return null;
      return { key: `talk:${str(d.sessionId) ?? event.id}`, tenantId: str(d.tenantId), channelId, at, items: [{ channelId, metric: UsageMetric.TALK_SECONDS, quantityBase: ms }] };
    }
    case 'recording.storage': {
      const channelId = str(d.channelId);
      const bytes = num(d.bytes);
      const day = typeof d.day === 'string' && DAY.test(d.day) ? d.day : null;
      if (!channelId || !bytes || !day) return null;
      const kind = d.kind === 'MOTION' ? ResourceType.MOTION : ResourceType.RECORD;
      return {
        key: `storage:${channelId}:${day}:${kind}`,
        tenantId: str(d.tenantId),
        channelId,
        at: new Date(`${day}T12:00:00.000Z`),
        items: [{ channelId, metric: UsageMetric.STORAGE_GB_DAYS, quantityBase: bytes, resourceType: kind }],
      };
    }
    default:
      return null;
  }
}

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

interface Pending {
  key: string;
  tenantId: string;
  items: UsageItem[];
  at: Date;
  resolve(recorded: boolean): void;
  reject(err: unknown): void;
}

interface Aggregate {
  tenantId: string;
  item: UsageItem;
  day: string;
  quantityBase: number;
  events: number;
  chargedMicros: number;
}

/** Events metered in one transaction at most. */
const MAX_BATCH = 1000;

/**
 * Usage records from bus events, per tenant, channel, UTC day, metric and protocol; usage covered
 * by an ON_DEMAND resource is charged from the credit at the price table's price, in the same
 * transaction. Credit below zero puts the account in ARREARS, and checkers hear of it at once.
 *
 * Events that arrive together (an outbox relay batch, a JetStream pull) are metered together: one
 * transaction per batch, one dedupe row per event, one upsert per (channel, day, metric, protocol)
 * and one credit change per tenant, so metering stays cheap next to the alarm pipeline it follows.
 * A handler's promise settles when its batch committed (or failed: then the bus redelivers it).
 */
export class Metering {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly accounts: Accounts,
    private readonly channels: ChannelLookup,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async start(bus: Bus): Promise<BusSubscription[]> {
    const subs: BusSubscription[] = [];
    for (const subject of METERED_SUBJECTS) {
      subs.push(await bus.subscribe(subject, (e) => this.handle(e), { group: meteringGroupOf(subject), concurrency: 256 }));
    }
    return subs;
  }

  /** Meters one bus event (idempotent by its key); rejects only for what a redelivery can fix. */
  async handle(event: BusEvent<unknown>): Promise<void> {
    const usage = usageOf(event);
    if (!usage || !usage.items.some((i) => i.quantityBase > 0)) return;
    let tenantId = usage.tenantId;
    if (!tenantId && usage.channelId) tenantId = (await this.channels.lookup(SERVICE, usage.channelId))?.tenantId ?? null;
    if (!tenantId) {
      this.logger.debug({ subject: event.subject, channelId: usage.channelId }, 'usage of an unknown channel not metered');
      return;
    }
    await this.record(usage.key, tenantId, usage.items.filter((i) => i.quantityBase > 0), usage.at);
  }

  /** Adds usage and charges it, once per key. Resolves false for a key already metered. */
  record(key: string, tenantId: string, items: UsageItem[], at: Date): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ key: key.slice(0, 96), tenantId, items, at, resolve, reject });
      if (this.pending.length >= MAX_BATCH) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    if (!batch.length) return;
    try {
      const { recorded, transitions } = await this.meter(batch);
      for (const t of transitions) await this.accounts.announce(t);
      for (const p of batch) p.resolve(recorded.has(p));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private async meter(batch: Pending[]): Promise<{ recorded: Set<Pending>; transitions: AccountTransition[] }> {
    for (const tenantId of new Set(batch.map((p) => p.tenantId))) await this.accounts.ensure(tenantId);
    const transitions: AccountTransition[] = [];
    const recorded = new Set<Pending>();
    await (this.orm.em.fork() as SqlEntityManager).transactional(async (tx) => {
      const now = this.clock();
      // one dedupe row per event: what the database already had (or took twice in this batch) is not metered again
      const byKey = new Map<string, Pending>();
      for (const p of batch) if (!byKey.has(p.key)) byKey.set(p.key, p);
      const inserted = (await tx
        .createQueryBuilder(UsageEvent)
        .insert([...byKey.values()].map((p) => ({ eventId: p.key, tenantId: p.tenantId, meteredAt: now })))
        .onConflict('eventId')
        .ignore()
        .returning(['eventId'])
        .execute('all', false)) as Array<{ event_id?: string; eventId?: string }>;
      for (const row of inserted) {
        const p = byKey.get(row.event_id ?? row.eventId ?? '');
        if (p) recorded.add(p);
      }
      const aggregates = new Map<string, Aggregate>();
      const prices = new Map<string, number>();
      const priceOfUnit = async (type: ResourceType, unit: string) => {
        const k = `${type}/${unit}`;
        if (!prices.has(k)) prices.set(k, await priceOf(tx, type, PackageMode.ON_DEMAND, unit as never));
        return prices.get(k)!;
      };
      const byTenant = new Map<string, Pending[]>();
      for (const p of recorded) byTenant.set(p.tenantId, [...(byTenant.get(p.tenantId) ?? []), p]);
      for (const [tenantId, events] of byTenant) {
        const account = await this.accounts.get(tx, tenantId);
        const channelIds = [...new Set(events.flatMap((p) => p.items.map((i) => i.channelId)).filter(Boolean))];
        const coverage = await coverageOfChannels(tx, account, channelIds);
        const devices = new Map<string, CoverageMap>();
        let total = 0;
        for (const p of events) {
          const day = dayOf(p.at);
          for (const item of p.items) {
            const spec = METRICS[item.metric];
            const type = item.resourceType ?? spec.resourceType;
            let cov: CoverageMap | undefined = coverage.get(item.channelId);
            if (!item.channelId && item.deviceId) {
              if (!devices.has(item.deviceId)) devices.set(item.deviceId, await coverageOfDevice(tx, account, item.deviceId, p.at.getTime()));
              cov = devices.get(item.deviceId);
            }
            const c = cov?.get(type);
            const charged = spec.unit && c && c.resource.mode === PackageMode.ON_DEMAND
              ? chargeMicros(item.quantityBase, await priceOfUnit(type, spec.unit), spec.basePerUnit)
              : 0;
            const k = [tenantId, item.channelId, day, item.metric, item.protocol ?? ''].join('\u0000');
            const agg = aggregates.get(k) ?? { tenantId, item, day, quantityBase: 0, events: 0, chargedMicros: 0 };
            agg.quantityBase += item.quantityBase;
            agg.events += 1;
            agg.chargedMicros += charged;
            aggregates.set(k, agg);
            total += charged;
          }
        }
        if (total) {
          const { transition } = await this.accounts.changeCredit(tx, tenantId, -total, 'usage charged');
          if (transition) transitions.push(transition);
        }
      }
      await this.add(tx, [...aggregates.values()], now);
    });
    return { recorded, transitions };
  }

  /** Adds the aggregates to the daily usage rows: one multi-row upsert per 200 rows. */
  private async add(tx: SqlEntityManager, aggregates: Aggregate[], now: Date): Promise<void> {
    for (let i = 0; i < aggregates.length; i += 200) {
      await tx
        .createQueryBuilder(UsageRecord)
        .insert(aggregates.slice(i, i + 200).map((a) => ({
          id: newId('use'),
          tenantId: a.tenantId,
          channelId: a.item.channelId,
          day: a.day,
          metric: a.item.metric,
          protocol: a.item.protocol ?? '',
          quantityBase: a.quantityBase,
          events: a.events,
          chargedMicros: a.chargedMicros,
          updatedAt: now,
        })))
        .onConflict(['tenantId', 'channelId', 'day', 'metric', 'protocol'])
        .merge({
          quantityBase: raw('usage_daily.quantity_base + excluded.quantity_base'),
          events: raw('usage_daily.events + excluded.events'),
          chargedMicros: raw('usage_daily.charged_micros + excluded.charged_micros'),
          updatedAt: raw('excluded.updated_at'),
        })
        .execute('run');
    }
  }

  /**
   * Forgets dedupe keys after a day: redeliveries (JetStream acks, outbox retries) come within
   * minutes, and a new group starts with new events, so nothing older comes back.
   */
  async prune(olderThanHours = 24): Promise<number> {
    const before = new Date(this.clock().getTime() - olderThanHours * 3_600_000);
    return this.orm.em.fork().nativeDelete(UsageEvent, { meteredAt: { $lt: before } });
  }
}
