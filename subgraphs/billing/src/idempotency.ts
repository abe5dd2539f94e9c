import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ArgusError, ErrorCode } from '@argus/platform';
import { ClientRequest } from './entities/client-request.js';

export interface IdempotentOutcome<R> {
  result: R;
  /** True when an earlier request with the same id had already done it (nothing was changed now). */
  replayed: boolean;
}

/**
 * Runs a mutation once per (scope, clientRequestId). The request row, with the answer, is written
 * in the mutation's own transaction, last: a concurrent duplicate does the work too but fails on
 * the row (PostgreSQL makes it wait for the first to commit), rolls back and returns the stored
 * answer; a failed request leaves no row, so a retry runs again; the same id with another
 * operation or input is a CONFLICT.
 */
export async function runIdempotent<R>(
  orm: MikroORM,
  key: { scope: string; clientRequestId: string; operation: string; input: unknown },
  work: (tx: SqlEntityManager) => Promise<R>,
): Promise<IdempotentOutcome<R>> {
  const inputHash = createHash('sha256').update(JSON.stringify([key.operation, key.input])).digest('hex');
  const replay = async (): Promise<IdempotentOutcome<R> | null> => {
    const done = await orm.em.fork().findOne(ClientRequest, { scope: key.scope, clientRequestId: key.clientRequestId });
    if (!done) return null;
    if (done.operation !== key.operation || done.inputHash !== inputHash) {
      throw new ArgusError(
        ErrorCode.CONFLICT,
        `clientRequestId ${key.clientRequestId} was already used for another request (${done.operation}); use a new id for a new request`,
        { field: 'clientRequestId' },
      );
    }
    return { result: JSON.parse(done.result) as R, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const result = await (orm.em.fork() as SqlEntityManager).transactional(async (tx) => {
      const value = await work(tx);
      await tx.insert(ClientRequest, {
        scope: key.scope, clientRequestId: key.clientRequestId, operation: key.operation, inputHash, result: JSON.stringify(value), createdAt: new Date(),
      });
      return value;
    });
    return { result, replayed: false };
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      const concurrent = await replay();
      if (concurrent) return concurrent;
    }
    throw err;
  }
}
