import { badInput } from '@argus/platform';
import { AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType, type AlarmRecord } from './alarm-model.js';

/** Filter of the alarms query and Channel.alarms (the GraphQL input type has the same fields). */
export interface AlarmFilterShape {
  /** occurredAt >= from */
  from?: Date | null;
  /** occurredAt < to */
  to?: Date | null;
  deviceId?: string | null;
  channelId?: string | null;
  types?: AlarmType[] | null;
  levels?: AlarmLevel[] | null;
  states?: AlarmState[] | null;
  status?: AlarmStatus | null;
  /** Devices in this group (resolved by the service through the devices subgraph into scope.deviceIds). */
  groupId?: string | null;
  /** With groupId: the group's whole subtree. */
  includeSubgroups?: boolean | null;
  sources?: AlarmSource[] | null;
}

/** What the caller's filter is narrowed to besides the filter itself. */
export interface AlarmScope {
  /** Channel.alarms: only this channel. */
  channelId?: string;
  /** filter.groupId: only these devices (the group's, as the devices subgraph lists them). */
  deviceIds?: readonly string[];
}

/** Filter of the alarmRaised subscription. */
export interface AlarmSubscriptionFilterShape {
  deviceId?: string | null;
  channelId?: string | null;
  types?: AlarmType[] | null;
  minLevel?: AlarmLevel | null;
}

/** A MikroORM where clause over Alarm properties (kept free of the entity class so it stays pure). */
export type AlarmWhere = Record<string, unknown>;

const distinct = <T>(values: readonly T[] | null | undefined): T[] | null =>
  values && values.length ? [...new Set(values)] : null;

function checkDate(field: string, d: Date | null | undefined): void {
  if (d != null && (!(d instanceof Date) || Number.isNaN(d.getTime()))) throw badInput(field, 'is not a valid date-time');
}

/**
 * Where clause for listing a tenant's alarms. Always scoped to `tenantId`; `scope.channelId`
 * (Channel.alarms) is ANDed with any channelId in the filter. Empty lists mean "no restriction".
 * Refuses (BAD_USER_INPUT) a time window whose end is not after its start.
 */
export function buildAlarmWhere(tenantId: string, filter?: AlarmFilterShape | null, scope: AlarmScope = {}): AlarmWhere {
  const f = filter ?? {};
  if (f.includeSubgroups && !f.groupId) throw badInput('filter.includeSubgroups', 'needs filter.groupId');
  checkDate('filter.from', f.from);
  checkDate('filter.to', f.to);
  if (f.from && f.to && f.to.getTime() <= f.from.getTime()) {
    throw badInput('filter.to', `must be after filter.from (${f.from.toISOString()})`);
  }
  const where: AlarmWhere = { tenantId };
  const and: AlarmWhere[] = [];
  if (scope.channelId) {
    where.channelId = scope.channelId;
    if (f.channelId && f.channelId !== scope.channelId) and.push({ channelId: f.channelId });
  } else if (f.channelId) {
    where.channelId = f.channelId;
  }
  if (scope.deviceIds) {
    const ids = [...new Set(scope.deviceIds)];
    // a deviceId outside the group matches nothing; an empty group matches nothing ($in [] is false)
    where.deviceId = f.deviceId ? (ids.includes(f.deviceId) ? f.deviceId : { $in: [] }) : ids.length === 1 ? ids[0] : { $in: ids };
  } else if (f.deviceId) {
    where.deviceId = f.deviceId;
  }
  if (f.from || f.to) {
    const range: Record<string, Date> = {};
    if (f.from) range.$gte = f.from;
    if (f.to) range.$lt = f.to;
    where.occurredAt = range;
  }
  const types = distinct(f.types);
  if (types) where.type = types.length === 1 ? types[0] : { $in: types };
  const levels = distinct(f.levels);
  if (levels) where.level = levels.length === 1 ? levels[0] : { $in: levels };
  const states = distinct(f.states);
  if (states) where.state = states.length === 1 ? states[0] : { $in: states };
  if (f.status) where.status = f.status;
  const sources = distinct(f.sources);
  if (sources) where.source = sources.length === 1 ? sources[0] : { $in: sources };
  if (and.length) where.$and = and;
  return where;
}

/** Whether a live alarm goes to a subscriber of `tenantId` with this filter. */
export function matchesAlarmSubscription(
  alarm: Pick<AlarmRecord, 'tenantId' | 'deviceId' | 'channelId' | 'type' | 'level'>,
  tenantId: string,
  filter?: AlarmSubscriptionFilterShape | null,
): boolean {
  if (alarm.tenantId !== tenantId) return false;
  const f = filter ?? {};
  if (f.deviceId && alarm.deviceId !== f.deviceId) return false;
  if (f.channelId && alarm.channelId !== f.channelId) return false;
  if (f.types && f.types.length && !f.types.includes(alarm.type)) return false;
  if (f.minLevel != null && alarm.level < f.minLevel) return false;
  return true;
}
