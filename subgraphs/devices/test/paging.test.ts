import { describe, expect, it } from 'vitest';
import { ArgusError } from '@argus/platform';
import { cursorOf, decodeCursor, encodeCursor, keysetOrderBy, keysetWhere, pageOf, pageWhere, planPage, type SortSpec } from '../src/paging.js';

const byName: SortSpec = { keys: [{ field: 'name', type: 'string' }, { field: 'id', type: 'string' }], direction: 'ASC' };
const bySeen: SortSpec = { keys: [{ field: 'lastSeenAt', type: 'date', nullable: true }, { field: 'id', type: 'string' }], direction: 'ASC' };
const seenDesc: SortSpec = { ...bySeen, direction: 'DESC' };
const t = new Date('2024-05-01T10:00:00.000Z');

function codeOf(fn: () => unknown): { code?: string; field?: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgusError);
    return { code: (e as ArgusError).code, field: (e as ArgusError).extensions.field };
  }
  throw new Error('expected a refusal');
}

describe('cursors', () => {
  it('round-trip the values of a row, dates included', () => {
    const c = cursorOf(bySeen, { id: 'dev_1', lastSeenAt: t, name: 'x' });
    expect(decodeCursor(bySeen, c, 'after')).toEqual([t, 'dev_1']);
    expect(decodeCursor(bySeen, cursorOf(bySeen, { id: 'dev_2', lastSeenAt: null }), 'after')).toEqual([null, 'dev_2']);
  });

  it('refuse garbage, cursors of another ordering, and NULL where the key cannot be NULL', () => {
    expect(codeOf(() => decodeCursor(byName, 'garbage', 'after'))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(codeOf(() => decodeCursor(byName, cursorOf(bySeen, { id: 'd', lastSeenAt: t }), 'before'))).toEqual({ code: 'BAD_USER_INPUT', field: 'before' });
    expect(codeOf(() => decodeCursor(byName, encodeCursor(byName, [null, 'd']), 'after')).code).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(byName, encodeCursor(byName, [3, 'd']), 'after')).code).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(bySeen, encodeCursor(bySeen, ['not a date' as unknown as Date, 'd']), 'after')).code).toBe('BAD_USER_INPUT');
  });
});

describe('keysetWhere', () => {
  it('is lexicographic over the keys', () => {
    expect(keysetWhere(byName, ['cam', 'dev_5'], 'after')).toEqual({
      $or: [{ name: { $gt: 'cam' } }, { $and: [{ name: 'cam' }, { id: { $gt: 'dev_5' } }] }],
    });
    expect(keysetWhere(byName, ['cam', 'dev_5'], 'before')).toEqual({
      $or: [{ name: { $lt: 'cam' } }, { $and: [{ name: 'cam' }, { id: { $lt: 'dev_5' } }] }],
    });
    expect(keysetWhere({ ...byName, direction: 'DESC' }, ['cam', 'dev_5'], 'after')).toEqual(keysetWhere(byName, ['cam', 'dev_5'], 'before'));
  });

  it('sorts NULL before every value', () => {
    // after a NULL: the NULLs with a greater id, then every non-NULL
    expect(keysetWhere(bySeen, [null, 'dev_5'], 'after')).toEqual({
      $or: [{ lastSeenAt: { $ne: null } }, { $and: [{ lastSeenAt: null }, { id: { $gt: 'dev_5' } }] }],
    });
    // before a NULL: only NULLs with a smaller id
    expect(keysetWhere(bySeen, [null, 'dev_5'], 'before')).toEqual({ $and: [{ lastSeenAt: null }, { id: { $lt: 'dev_5' } }] });
    // before a value: smaller values and every NULL
    expect(keysetWhere(bySeen, [t, 'dev_5'], 'before')).toEqual({
      $or: [{ $or: [{ lastSeenAt: { $lt: t } }, { lastSeenAt: null }] }, { $and: [{ lastSeenAt: t }, { id: { $lt: 'dev_5' } }] }],
    });
    // DESC, after a value: smaller values and the NULLs (which come last)
    expect(keysetWhere(seenDesc, [t, 'dev_5'], 'after')).toEqual(keysetWhere(bySeen, [t, 'dev_5'], 'before'));
  });

  it('orders NULLs first ascending and last descending, backwards for last/before pages', () => {
    expect(keysetOrderBy(bySeen)).toEqual([{ lastSeenAt: 'asc nulls first' }, { id: 'asc' }]);
    expect(keysetOrderBy(seenDesc)).toEqual([{ lastSeenAt: 'desc nulls last' }, { id: 'desc' }]);
    expect(keysetOrderBy(bySeen, true)).toEqual(keysetOrderBy(seenDesc));
    expect(keysetOrderBy(byName, true)).toEqual([{ name: 'desc' }, { id: 'desc' }]);
  });
});

/** Runs a page plan against an in-memory list, to check the plan end to end without a database. */
function simulate(rows: Array<{ id: string; name: string }>, args: Parameters<typeof planPage>[1]) {
  const plan = planPage(byName, args);
  const key = (r: { id: string; name: string }) => [r.name, r.id] as const;
  const cmp = (x: readonly string[], y: readonly (string | null)[]) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0);
  let sel = [...rows].sort((p, q) => cmp(key(p), key(q)));
  if (plan.after) sel = sel.filter((r) => cmp(key(r), plan.after as string[]) > 0);
  if (plan.before) sel = sel.filter((r) => cmp(key(r), plan.before as string[]) < 0);
  if (plan.backward) sel.reverse();
  return pageOf(byName, plan, sel.slice(0, plan.size + 1));
}

describe('planPage / pageOf', () => {
  const rows = ['e', 'a', 'c', 'b', 'd', 'a'].map((name, i) => ({ id: `dev_${i}`, name }));
  const order = ['dev_1', 'dev_5', 'dev_3', 'dev_2', 'dev_4', 'dev_0'];

  it('pages forward and backward over the same sequence', () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p = simulate(rows, { first: 4, after });
      seen.push(...p.edges.map((e) => e.node.id));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(order);
    const last = simulate(rows, { last: 4 });
    expect(last.edges.map((e) => e.node.id)).toEqual(order.slice(2));
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const prev = simulate(rows, { last: 4, before: last.pageInfo.startCursor });
    expect(prev.edges.map((e) => e.node.id)).toEqual(order.slice(0, 2));
    expect(prev.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('defaults to the first 50 and validates sizes', () => {
    expect(planPage(byName, {}).size).toBe(50);
    expect(codeOf(() => planPage(byName, { first: 0 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(codeOf(() => planPage(byName, { last: 501 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
    expect(codeOf(() => planPage(byName, { first: 1, last: 1 })).code).toBe('BAD_USER_INPUT');
  });

  it('combines the filter with the cursor bounds', () => {
    const plan = planPage(byName, { first: 2, after: encodeCursor(byName, ['b', 'dev_3']) });
    expect(pageWhere(byName, plan, { tenantId: 'ten_a' })).toEqual({ $and: [{ tenantId: 'ten_a' }, keysetWhere(byName, ['b', 'dev_3'], 'after')] });
    expect(pageWhere(byName, planPage(byName, {}), { tenantId: 'ten_a' })).toEqual({ tenantId: 'ten_a' });
  });
});
