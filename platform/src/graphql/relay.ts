import { ClassType, Directive, Field, Int, ObjectType } from 'type-graphql';
import { ArgusError, ErrorCode } from '../errors.js';

@ObjectType({ description: 'Relay page information.' })
@Directive('@shareable')
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface ConnectionShape<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Makes the Relay connection and edge types for a node type:
 * `class DeviceConnection extends Connection(Device, 'Device') {}`.
 */
export function Connection<T extends object>(NodeClass: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => NodeClass) node!: T;
  }

  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [Edge]) edges!: Array<{ cursor: string; node: T }>;
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: 'Number of nodes matching the filter, ignoring pagination.' }) totalCount!: number;
  }
  return ConnectionType;
}

/** Relay page arguments, validated: first/last 1–500, not both. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export const MAX_PAGE_SIZE = 500;

export function checkPageArgs(args: PageArgs): void {
  if (args.first != null && args.last != null) throw new ArgusError(ErrorCode.BAD_USER_INPUT, 'pass either first or last, not both', { field: 'first' });
  for (const field of ['first', 'last'] as const) {
    const v = args[field];
    if (v != null && (!Number.isInteger(v) || v < 1 || v > MAX_PAGE_SIZE)) {
      throw new ArgusError(ErrorCode.BAD_USER_INPUT, `${field} must be between 1 and ${MAX_PAGE_SIZE}`, { field });
    }
  }
}

/** The parts of MikroORM's Cursor a Relay connection needs. */
interface OrmCursor<T> {
  items: T[];
  totalCount: number;
  hasNextPage: boolean | null;
  hasPrevPage: boolean | null;
  startCursor: string | null;
  endCursor: string | null;
  from(item: T): string;
}

/** Turns a MikroORM `em.findByCursor` result into a Relay connection. */
export function connectionFromCursor<T>(cursor: OrmCursor<T>): ConnectionShape<T> {
  return {
    edges: cursor.items.map((node) => ({ cursor: cursor.from(node), node })),
    pageInfo: {
      hasNextPage: !!cursor.hasNextPage,
      hasPreviousPage: !!cursor.hasPrevPage,
      startCursor: cursor.startCursor,
      endCursor: cursor.endCursor,
    },
    totalCount: cursor.totalCount,
  };
}
