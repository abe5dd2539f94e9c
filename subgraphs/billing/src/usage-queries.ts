import { raw, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { badInput, requireTenant, type CallerContext, type ConnectionShape, type PageArgs } from '@argus/platform';
import { UsageRecord } from './entities/usage-record.js';
import { UsageMetric } from './enums.js';
import { pageOf } from './pagination.js';

export interface UsageFilter {
  /** First UTC day, YYYY-MM-DD (inclusive). */
  from?: string | null;
  /** Last UTC day, YYYY-MM-DD (inclusive). */
  to?: string | null;
  channelId?: string | null;
  metric?: UsageMetric | null;
}

export interface UsageTotal {
  metric: UsageMetric;
  protocol: string;
  quantityBase: number;
  events: number;
  chargedMicros: number;
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function whereOf(tenantId: string, filter: UsageFilter | null | undefined): Record<string, unknown> {
  const where: Record<string, unknown> = { tenantId };
  for (const field of ['from', 'to'] as const) {
    const v = filter?.[field];
    if (v != null && (typeof v !== 'string' || !DAY.test(v))) throw badInput(field, 'must be a UTC day, YYYY-MM-DD');
  }
  if (filter?.from && filter?.to && filter.from > filter.to) throw badInput('to', 'must not be before from');
  const day: Record<string, string> = {};
  if (filter?.from) day.$gte = filter.from;
  if (filter?.to) day.$lte = filter.to;
  if (Object.keys(day).length) where.day = day;
  if (filter?.channelId) where.channelId = filter.channelId;
  if (filter?.metric) where.metric = filter.metric;
  return where;
}

/** Usage as the tenant reads it: daily records, and totals over a period. */
export class UsageQueries {
  constructor(private readonly orm: MikroORM) {}

  private em(): SqlEntityManager {
    return this.orm.em.fork() as SqlEntityManager;
  }

  async list(caller: CallerContext, filter: UsageFilter | null | undefined, page: PageArgs): Promise<ConnectionShape<UsageRecord>> {
    const where = whereOf(requireTenant(caller), filter);
    return pageOf(this.em(), UsageRecord, where, { day: 'desc', id: 'desc' }, page);
  }

  async totals(caller: CallerContext, filter: UsageFilter | null | undefined): Promise<UsageTotal[]> {
    const where = whereOf(requireTenant(caller), filter);
    const rows = (await this.em()
      .createQueryBuilder(UsageRecord)
      .select(['metric', 'protocol'])
      .addSelect([raw('sum(quantity_base) as quantity_sum'), raw('sum(events) as events_sum'), raw('sum(charged_micros) as charged_sum')])
      .where(where)
      .groupBy(['metric', 'protocol'])
      .orderBy({ metric: 'asc', protocol: 'asc' })
      .execute('all', false)) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      metric: r.metric as UsageMetric,
      protocol: String(r.protocol ?? ''),
      quantityBase: Number(r.quantity_sum ?? 0),
      events: Number(r.events_sum ?? 0),
      chargedMicros: Number(r.charged_sum ?? 0),
    }));
  }
}
