import { GraphQLError } from 'graphql';

/**
 * The one catalog of error codes Argus puts in `extensions.code`.
 * Codes are stable API: clients switch on them. Add, never rename.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  STALE_TIMESTAMP: 'STALE_TIMESTAMP',
  REPLAYED_REQUEST: 'REPLAYED_REQUEST',
  FORBIDDEN: 'FORBIDDEN',
  INTERNAL_ONLY: 'INTERNAL_ONLY',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  ENTITLEMENT_MISSING: 'ENTITLEMENT_MISSING',
  ACCOUNT_IN_ARREARS: 'ACCOUNT_IN_ARREARS',
  ACCOUNT_SUSPENDED: 'ACCOUNT_SUSPENDED',
  INSUFFICIENT_CREDIT: 'INSUFFICIENT_CREDIT',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status used when an error leaves Argus over plain HTTP (REST endpoints, refusals before GraphQL). */
export const httpStatusOf: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  REPLAYED_REQUEST: 401,
  FORBIDDEN: 403,
  INTERNAL_ONLY: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
  QUOTA_EXCEEDED: 402,
  ENTITLEMENT_MISSING: 402,
  ACCOUNT_IN_ARREARS: 402,
  ACCOUNT_SUSPENDED: 403,
  INSUFFICIENT_CREDIT: 402,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ArgusErrorDetails {
  /** Name of the offending input field, for BAD_USER_INPUT. */
  field?: string;
  [key: string]: unknown;
}

export class ArgusError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, details: ArgusErrorDetails = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
    this.name = 'ArgusError';
  }

  /** Body of a plain-HTTP error response: { error: { code, message, ...details } }. */
  toHttpBody(): { error: { code: ErrorCode; message: string } & ArgusErrorDetails } {
    const { code: _c, ...rest } = this.extensions as Record<string, unknown>;
    return { error: { code: this.code, message: this.message, ...rest } };
  }
}

export const notFound = (what: string, id: string) =>
  new ArgusError(ErrorCode.NOT_FOUND, `${what} ${id} does not exist`, { id });

export const badInput = (field: string, message: string) =>
  new ArgusError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

export const conflict = (message: string, details: ArgusErrorDetails = {}) =>
  new ArgusError(ErrorCode.CONFLICT, message, details);

export const forbidden = (message: string) => new ArgusError(ErrorCode.FORBIDDEN, message);

export const unauthenticated = (message = 'authentication required: send Authorization: Bearer <token> or a signed request') =>
  new ArgusError(ErrorCode.UNAUTHENTICATED, message);

export function isArgusError(e: unknown): e is ArgusError {
  return e instanceof ArgusError;
}
