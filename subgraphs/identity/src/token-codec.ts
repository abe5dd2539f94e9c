import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims inside an Argus access token. */
export interface TokenClaims {
  /** Token id (row id in access_tokens). */
  jti: string;
  appId: string;
  tenantId: string | null;
  role: 'ADMIN' | 'TENANT';
  /** Expiry, epoch seconds. */
  exp: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED'; claims?: TokenClaims };

const PREFIX = 'argus1.';

/**
 * Access tokens are "argus1." + base64url(claims JSON) + "." + base64url(HMAC-SHA256).
 * Signature and expiry are checked without a database; revocation is checked separately.
 */
export class TokenCodec {
  constructor(private readonly key: Buffer) {}

  encode(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${PREFIX}${body}.${this.mac(body)}`;
  }

  decode(token: string, nowSeconds = Math.floor(Date.now() / 1000)): TokenCheck {
    if (!token.startsWith(PREFIX)) return { ok: false, reason: 'MALFORMED' };
    const rest = token.slice(PREFIX.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'MALFORMED' };
    const body = rest.slice(0, dot);
    const given = Buffer.from(rest.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'BAD_SIGNATURE' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'MALFORMED' };
    }
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'MALFORMED' };
    if (claims.exp <= nowSeconds) return { ok: false, reason: 'EXPIRED', claims };
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
