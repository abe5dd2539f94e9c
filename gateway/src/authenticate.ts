import { ArgusError, ErrorCode, type CallerContext } from '@argus/platform';
import { signedHeadersOf, type IdentityService } from '@argus/subgraph-identity';

export const ANONYMOUS: CallerContext = { tenantId: null, appId: null, role: 'ANONYMOUS' };
export const TENANT_HEADER = 'x-argus-tenant';

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Establishes the caller of one request from, in order: a bearer token, an app signature
 * (appid/msgSeq/timestamp/signature), or nothing (anonymous; only public fields then).
 * Credentials that are present but wrong are refused with their precise code.
 * The admin app may act inside a tenant by naming it in x-argus-tenant.
 */
export async function authenticate(
  identity: IdentityService,
  headers: HeaderBag,
  uri: string,
  body: () => Promise<string>,
): Promise<CallerContext> {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  let caller: CallerContext;
  const authorization = header('authorization');
  const signed = signedHeadersOf(headers);
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) throw new ArgusError(ErrorCode.UNAUTHENTICATED, 'Authorization header must be "Bearer <access token>"');
    caller = await identity.verifyToken(m[1]!);
  } else if (signed) {
    caller = await identity.verifySignedRequest(signed, uri, await body());
  } else {
    return ANONYMOUS;
  }
  const tenant = header(TENANT_HEADER);
  if (tenant) {
    if (caller.role !== 'ADMIN') throw new ArgusError(ErrorCode.FORBIDDEN, `${TENANT_HEADER} may be sent by the admin app only`);
    caller = { ...caller, tenantId: tenant };
  }
  return caller;
}

/** Credentials from a graphql-ws connection_init payload: same forms as HTTP headers. */
export function headersFromConnectionParams(params: Record<string, unknown> | undefined | null): HeaderBag {
  const out: HeaderBag = {};
  if (!params) return out;
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
  }
  if (!out.authorization && typeof params.token === 'string') out.authorization = `Bearer ${params.token}`;
  if (!out.authorization && typeof params.accessToken === 'string') out.authorization = `Bearer ${params.accessToken}`;
  if (typeof (params as any).headers === 'object' && (params as any).headers) {
    for (const [k, v] of Object.entries((params as any).headers as Record<string, unknown>)) {
      if (typeof v === 'string') out[k.toLowerCase()] = v;
    }
  }
  return out;
}
