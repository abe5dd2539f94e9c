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
 * Runs a mutation once per (scope, clientRequestId). The request row is inserted first, in the
 * mutation's own transaction: a concurrent duplicate waits on the row (PostgreSQL) and then
 * finds it; a retry after success gets the stored result; a failure rolls the row back, so a
 * retry runs again. The same id with another operation or input is a CONFLICT.
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
      const row = tx.create(ClientRequest, {
        scope: key.scope, clientRequestId: key.clientRequestId, operation: key.operation, inputHash, result: '', createdAt: new Date(),
      });
      await tx.flush();
      const value = await work(tx);
      row.result = JSON.stringify(value);
      await tx.flush();
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
