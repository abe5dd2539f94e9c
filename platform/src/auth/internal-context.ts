import { createHmac, timingSafeEqual } from 'node:crypto';

/** Who is calling, as established by the gateway and carried to subgraphs in a signed header. */
export interface CallerContext {
  /** Tenant the request acts in; null for the system (admin) app outside any tenant. */
  tenantId: string | null;
  appId: string | null;
  role: 'ADMIN' | 'TENANT' | 'SERVICE' | 'ANONYMOUS';
}

export const INTERNAL_CONTEXT_HEADER = 'x-argus-context';
const MAX_AGE_MS = 5 * 60_000;

/**
 * Signs and checks the gateway → subgraph context header:
 * base64url(json) "." issuedAtMs "." base64url(HMAC-SHA256(key, json "." issuedAtMs)).
 * A subgraph refuses any request without a valid, fresh header, so subgraphs are reachable
 * only through the gateway (or another Argus service holding the same master key).
 */
export class InternalContextSigner {
  constructor(private readonly key: Buffer) {}

  sign(ctx: CallerContext, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify(ctx)).toString('base64url');
    const mac = createHmac('sha256', this.key).update(`${body}.${now}`).digest('base64url');
    return `${body}.${now}.${mac}`;
  }

  /** Returns the caller context, or null when the header is missing, forged or stale. */
  verify(header: string | undefined | null, now = Date.now()): CallerContext | null {
    if (!header) return null;
    const parts = header.split('.');
    if (parts.length !== 3) return null;
    const [body, issued, mac] = parts as [string, string, string];
    const issuedAt = Number(issued);
    if (!Number.isFinite(issuedAt) || Math.abs(now - issuedAt) > MAX_AGE_MS) return null;
    const expected = createHmac('sha256', this.key).update(`${body}.${issued}`).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const ctx = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CallerContext;
      if (typeof ctx !== 'object' || !ctx || !['ADMIN', 'TENANT', 'SERVICE', 'ANONYMOUS'].includes(ctx.role)) return null;
      return ctx;
    } catch {
      return null;
    }
  }
}
