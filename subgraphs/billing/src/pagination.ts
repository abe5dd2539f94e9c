import { Cursor, type EntityName, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { badInput, checkPageArgs, connectionFromCursor, type ConnectionShape, type PageArgs } from '@argus/platform';

export const DEFAULT_PAGE_SIZE = 50;

/** A Relay page of `entity` in `orderBy` order (whose fields must make rows unique). */
export async function pageOf<T extends object>(
  em: SqlEntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>,
  page: PageArgs,
): Promise<ConnectionShape<T>> {
  checkPageArgs(page);
  const arity = Object.keys(orderBy).length;
  for (const field of ['after', 'before'] as const) {
    const c = page[field];
    if (c != null && !isCursorOf(c, arity)) throw badInput(field, 'is not a cursor of this connection (use pageInfo.endCursor / startCursor)');
  }
  if (page.after != null && page.before != null) throw badInput('after', 'pass either after or before, not both');
  const cursor = await em.findByCursor(entity, where, {
    first: page.first ?? (page.last == null ? DEFAULT_PAGE_SIZE : undefined),
    last: page.last ?? undefined,
    after: page.after ?? undefined,
    before: page.before ?? undefined,
    orderBy,
    includeCount: true,
  } as never);
  return connectionFromCursor(cursor as never);
}

function isCursorOf(value: string, arity: number): boolean {
  try {
    const v = Cursor.decode(value);
    return Array.isArray(v) && v.length === arity;
  } catch {
    return false;
  }
}
