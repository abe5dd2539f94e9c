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

/**
 * Usage records from bus events, per tenant, channel, UTC day, metric and protocol; usage covered
 * by an ON_DEMAND resource is charged from the credit at the price table's price, in the same
 * transaction. Credit below zero puts the account in ARREARS, and checkers hear of it at once.
 */
export class Metering {
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
      subs.push(await bus.subscribe(subject, (e) => this.handle(e), { group: meteringGroupOf(subject) }));
    }
    return subs;
  }

  /** Meters one bus event (idempotent by its key); throws only for what a redelivery can fix. */
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

  /** Adds usage and charges it, once per key. Returns false for a key already metered. */
  async record(key: string, tenantId: string, items: UsageItem[], at: Date): Promise<boolean> {
    await this.accounts.ensure(tenantId);
    let transition: AccountTransition | null = null;
    const recorded = await (this.orm.em.fork() as SqlEntityManager).transactional(async (tx) => {
      const first = await tx
        .createQueryBuilder(UsageEvent)
        .insert({ eventId: key.slice(0, 96), tenantId, meteredAt: this.clock() })
        .onConflict('eventId')
        .ignore()
        .execute('run');
      if (!first.affectedRows) return false;
      const account = await this.accounts.get(tx, tenantId);
      const channelIds = [...new Set(items.map((i) => i.channelId).filter(Boolean))];
      const coverage = await coverageOfChannels(tx, account, channelIds);
      const day = dayOf(at);
      let total = 0;
      for (const item of items) {
        const spec = METRICS[item.metric];
        const type = item.resourceType ?? spec.resourceType;
        let cov: CoverageMap | undefined = coverage.get(item.channelId);
        if (!item.channelId && item.deviceId) cov = await coverageOfDevice(tx, account, item.deviceId, at.getTime());
        const c = cov?.get(type);
        let charged = 0;
        if (spec.unit && c && c.resource.mode === PackageMode.ON_DEMAND) {
          charged = chargeMicros(item.quantityBase, await priceOf(tx, type, PackageMode.ON_DEMAND, spec.unit), spec.basePerUnit);
        }
        await this.add(tx, tenantId, item, day, charged);
        total += charged;
      }
      if (total) transition = (await this.accounts.changeCredit(tx, tenantId, -total, 'usage charged')).transition;
      return true;
    });
    await this.accounts.announce(transition);
    return recorded;
  }

  private async add(tx: SqlEntityManager, tenantId: string, item: UsageItem, day: string, chargedMicros: number): Promise<void> {
    await tx
      .createQueryBuilder(UsageRecord)
      .insert({
        id: newId('use'),
        tenantId,
        channelId: item.channelId,
        day,
        metric: item.metric,
        protocol: item.protocol ?? '',
        quantityBase: item.quantityBase,
        events: 1,
        chargedMicros,
        updatedAt: this.clock(),
      })
      .onConflict(['tenantId', 'channelId', 'day', 'metric', 'protocol'])
      .merge({
        quantityBase: raw('usage_daily.quantity_base + excluded.quantity_base'),
        events: raw('usage_daily.events + 1'),
        chargedMicros: raw('usage_daily.charged_micros + excluded.charged_micros'),
        updatedAt: raw('excluded.updated_at'),
      })
      .execute('run');
  }

  /** Forgets dedupe keys older than the bus keeps events (JetStream: 7 days). */
  async prune(olderThanDays = 8): Promise<number> {
    const before = new Date(this.clock().getTime() - olderThanDays * 86_400_000);
    return this.orm.em.fork().nativeDelete(UsageEvent, { meteredAt: { $lt: before } });
  }
}
