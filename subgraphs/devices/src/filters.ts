import { raw } from '@mikro-orm/core';
import { ChannelKind, ChannelStatus, DeviceOrderField, DeviceProtocol, DeviceStatus, LIMITS, OrderDirection } from './model.js';
import { badInput } from '@argus/platform';
import type { SortSpec } from './paging.js';

/**
 * Where clauses and orderings for the device and channel lists (pure, unit-tested).
 * Always scoped to the caller's tenant; the where objects are built fresh per query because
 * MikroORM raw fragments are single-use.
 */

export interface DeviceFilterShape {
  status?: DeviceStatus | null;
  protocol?: DeviceProtocol | null;
  groupId?: string | null;
  includeSubgroups?: boolean | null;
  search?: string | null;
  vendor?: string | null;
}

export interface ChannelFilterShape {
  deviceId?: string | null;
  kind?: ChannelKind | null;
  status?: ChannelStatus | null;
  search?: string | null;
}

export interface DeviceOrderShape {
  field?: DeviceOrderField | null;
  direction?: OrderDirection | null;
}

type Where = Record<string, unknown>;

/** The LIKE escape character used in every pattern (no backslash: its meaning differs between databases). */
export const LIKE_ESCAPE = '!';

/** Escapes LIKE wildcards so user text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
}

/** Pattern for a case-insensitive substring match against lower(column). */
export function containsPattern(term: string): string {
  return `%${escapeLike(term.toLowerCase())}%`;
}

/** Pattern for a prefix match (materialised group paths). */
export function prefixPattern(prefix: string): string {
  return `${escapeLike(prefix)}%`;
}

/** Trimmed search text, or null when empty; BAD_USER_INPUT when too long. */
export function normalizeSearch(search: string | null | undefined, field = 'search'): string | null {
  const s = search?.trim() ?? '';
  if (!s) return null;
  if (s.length > LIMITS.search) throw badInput(field, `must be at most ${LIMITS.search} characters`);
  return s;
}

/** lower(column) LIKE pattern ESCAPE '!', as a where entry. */
export function likeLower(column: string, pattern: string): Where {
  return { [raw((alias: string) => `lower(${alias}.${column}) like ? escape '${LIKE_ESCAPE}'`, [pattern])]: [] };
}

/** column LIKE prefix% ESCAPE '!', as a where entry. */
export function likePrefix(column: string, prefix: string): Where {
  return { [raw((alias: string) => `${alias}.${column} like ? escape '${LIKE_ESCAPE}'`, [prefixPattern(prefix)])]: [] };
}

/**
 * Where clause of the devices list. `subtreeGroupIds` are the ids of the filter's group and all
 * its descendants, resolved by the caller when includeSubgroups is set.
 */
export function buildDeviceWhere(tenantId: string, filter?: DeviceFilterShape | null, subtreeGroupIds?: string[] | null): Where {
  const where: Where = { tenantId };
  const and: Where[] = [];
  if (!filter) return where;
  if (filter.status) where.status = filter.status;
  if (filter.protocol) where.protocol = filter.protocol;
  const vendor = filter.vendor?.trim();
  if (vendor) where.vendor = vendor;
  if (filter.groupId) {
    where.groupId = filter.includeSubgroups ? { $in: subtreeGroupIds?.length ? subtreeGroupIds : [filter.groupId] } : filter.groupId;
  }
  const search = normalizeSearch(filter.search, 'filter.search');
  if (search) {
    const pattern = containsPattern(search);
    and.push({ $or: [likeLower('name', pattern), likeLower('device_code', pattern)] });
  }
  return and.length ? { ...where, $and: and } : where;
}

export function buildChannelWhere(tenantId: string, filter?: ChannelFilterShape | null): Where {
  const where: Where = { tenantId };
  if (!filter) return where;
  if (filter.deviceId) where.deviceId = filter.deviceId;
  if (filter.kind) where.kind = filter.kind;
  if (filter.status) where.status = filter.status;
  const search = normalizeSearch(filter.search, 'filter.search');
  if (search) where.$and = [likeLower('name', containsPattern(search))];
  return where;
}

const DEVICE_SORT_KEYS = {
  [DeviceOrderField.NAME]: { field: 'name', type: 'string' },
  [DeviceOrderField.CREATED_AT]: { field: 'createdAt', type: 'date' },
  [DeviceOrderField.LAST_SEEN_AT]: { field: 'lastSeenAt', type: 'date', nullable: true },
  [DeviceOrderField.STATUS]: { field: 'status', type: 'string' },
} as const;

/** Default device order: NAME ascending; ties broken by id in the same direction. */
export function deviceSortSpec(order?: DeviceOrderShape | null): SortSpec {
  const field = order?.field ?? DeviceOrderField.NAME;
  return {
    keys: [DEVICE_SORT_KEYS[field], { field: 'id', type: 'string' }],
    direction: order?.direction === OrderDirection.DESC ? 'DESC' : 'ASC',
  };
}

/** Channels: by device, then channel number. */
export const CHANNEL_SORT_SPEC: SortSpec = {
  keys: [
    { field: 'deviceId', type: 'string' },
    { field: 'index', type: 'number' },
    { field: 'id', type: 'string' },
  ],
  direction: 'ASC',
};
