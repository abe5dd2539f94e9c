import { badInput, checkPageArgs, type PageArgs } from '@argus/platform';

/**
 * Keyset (cursor) pagination, pure and unit-tested. An ordering is a list of keys ending with a
 * unique one (the id), all in one direction. NULL sorts before every value (ASC: NULLS FIRST,
 * DESC: NULLS LAST), the same on SQLite and PostgreSQL. A cursor carries the ordering's key names
 * and the values of one row, so a cursor of another ordering is refused instead of misread.
 */

export type SortValue = string | number | boolean | Date | null;

export interface SortKey {
  /** Entity property name. */
  field: string;
  type: 'string' | 'number' | 'date';
  nullable?: boolean;
}

export interface SortSpec {
  keys: SortKey[];
  direction: 'ASC' | 'DESC';
}

export const DEFAULT_PAGE_SIZE = 50;

type Where = Record<string, unknown>;

function tagOf(spec: SortSpec): string {
  return spec.keys.map((k) => k.field).join(',');
}

export function encodeCursor(spec: SortSpec, values: SortValue[]): string {
  const json = [tagOf(spec), ...values.map((v) => (v instanceof Date ? v.toISOString() : v))];
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** Cursor of one row under an ordering. */
export function cursorOf(spec: SortSpec, row: object): string {
  return encodeCursor(spec, spec.keys.map((k) => ((row as Record<string, unknown>)[k.field] ?? null) as SortValue));
}

/** Values of a cursor; BAD_USER_INPUT (field `after`/`before`) when it is not one of this ordering. */
export function decodeCursor(spec: SortSpec, cursor: string, field: string): SortValue[] {
  const refuse = (why: string) => badInput(field, `${why}; pass a cursor from this connection with the same orderBy`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a valid cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== spec.keys.length + 1) throw refuse('is not a valid cursor');
  if (parsed[0] !== tagOf(spec)) throw refuse('was issued for another ordering');
  return spec.keys.map((k, i) => {
    const v: unknown = parsed[i + 1];
    if (v === null) {
      if (!k.nullable) throw refuse('is not a valid cursor');
      return null;
    }
    if (k.type === 'date') {
      const d = typeof v === 'string' ? new Date(v) : new Date(NaN);
      if (Number.isNaN(d.getTime())) throw refuse('is not a valid cursor');
      return d;
    }
    if (typeof v !== k.type) throw refuse('is not a valid cursor');
    return v as SortValue;
  });
}

function greater(k: SortKey, v: SortValue): Where {
  return v === null ? { [k.field]: { $ne: null } } : { [k.field]: { $gt: v } };
}

function less(k: SortKey, v: SortValue): Where | null {
  if (v === null) return null; // nothing sorts before NULL
  return k.nullable ? { $or: [{ [k.field]: { $lt: v } }, { [k.field]: null }] } : { [k.field]: { $lt: v } };
}

/** Condition selecting the rows strictly after (or before) the row with these key values, in the ordering. */
export function keysetWhere(spec: SortSpec, values: SortValue[], mode: 'after' | 'before'): Where {
  const upward = (spec.direction === 'ASC') === (mode === 'after');
  const disjuncts: Where[] = [];
  spec.keys.forEach((k, i) => {
    const cmp = upward ? greater(k, values[i]!) : less(k, values[i]!);
    if (!cmp) return;
    const equal = spec.keys.slice(0, i).map((prev, j) => ({ [prev.field]: values[j] }));
    disjuncts.push(equal.length ? { $and: [...equal, cmp] } : cmp);
  });
  if (disjuncts.length === 0) return { [spec.keys[spec.keys.length - 1]!.field]: null }; // matches nothing (the id is never NULL)
  return disjuncts.length === 1 ? disjuncts[0]! : { $or: disjuncts };
}

/** ORDER BY of an ordering; `reversed` for `last`/`before` pages (fetched backwards, then flipped). */
export function keysetOrderBy(spec: SortSpec, reversed = false): Array<Record<string, string>> {
  const asc = (spec.direction === 'ASC') !== reversed;
  return spec.keys.map((k) => ({ [k.field]: k.nullable ? (asc ? 'asc nulls first' : 'desc nulls last') : asc ? 'asc' : 'desc' }));
}

export interface PagePlan {
  size: number;
  backward: boolean;
  after: SortValue[] | null;
  before: SortValue[] | null;
}

/** Validates Relay arguments (first/last 1–500, not both; cursors of this ordering). Default: first DEFAULT_PAGE_SIZE. */
export function planPage(spec: SortSpec, args: PageArgs, defaultSize = DEFAULT_PAGE_SIZE): PagePlan {
  checkPageArgs(args);
  const backward = args.last != null;
  return {
    size: (backward ? args.last : args.first) ?? defaultSize,
    backward,
    after: args.after ? decodeCursor(spec, args.after, 'after') : null,
    before: args.before ? decodeCursor(spec, args.before, 'before') : null,
  };
}

/** The where clause of a page: the filter and the cursor bounds. */
export function pageWhere(spec: SortSpec, plan: PagePlan, filter: Where): Where {
  const parts: Where[] = [filter];
  if (plan.after) parts.push(keysetWhere(spec, plan.after, 'after'));
  if (plan.before) parts.push(keysetWhere(spec, plan.before, 'before'));
  return parts.length === 1 ? filter : { $and: parts };
}

/**
 * Turns the rows fetched with limit size+1 into the page: drops the probe row, restores order
 * for backward pages, and works out hasNextPage/hasPreviousPage as Relay defines them.
 */
export function pageOf<T extends object>(spec: SortSpec, plan: PagePlan, fetched: T[]) {
  const more = fetched.length > plan.size;
  const rows = fetched.slice(0, plan.size);
  if (plan.backward) rows.reverse();
  const edges = rows.map((node) => ({ cursor: cursorOf(spec, node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: plan.backward ? plan.before !== null : more,
      hasPreviousPage: plan.backward ? more : plan.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
