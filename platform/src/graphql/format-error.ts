import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgusError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Errors leave a subgraph with a code from the Argus catalog. Unknown failures become
 * INTERNAL with a generic message (the details go to the log, never to the client);
 * unique-constraint violations become CONFLICT.
 */
export function formatSubgraphError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof ArgusError) {
      return { ...formatted, message: original.message, extensions: { ...original.extensions } };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code && PASS_THROUGH.has(code)) {
      return { ...formatted, extensions: { code: code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' ? code : ErrorCode.BAD_USER_INPUT } };
    }
    const name = (original as Error | undefined)?.constructor?.name ?? '';
    if (name === 'UniqueConstraintViolationException') {
      return { message: 'a record with the same unique value already exists', path: formatted.path, extensions: { code: ErrorCode.CONFLICT } };
    }
    if (name === 'ForeignKeyConstraintViolationException') {
      return { message: 'a referenced record does not exist or is still in use', path: formatted.path, extensions: { code: ErrorCode.CONFLICT } };
    }
    logger.error({ err: original, path: formatted.path }, 'unhandled resolver error');
    return { message: 'internal error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL } };
  };
}
