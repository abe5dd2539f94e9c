import { timingSafeEqual } from 'node:crypto';
import type { MikroORM, EntityManager } from '@mikro-orm/core';
import {
  ArgusError, ErrorCode, badInput, newId, randomSecret,
  type ServiceRuntime, type CallerContext,
} from '@argus/platform';
import { Tenant } from './entities/tenant.js';
import { App, AppRole } from './entities/app.js';
import { AccessToken } from './entities/access-token.js';
import { TokenCodec, type TokenClaims } from './token-codec.js';
import { signatureMatches, type SignedRequestHeaders } from './signed-request.js';
import type { ReplayGuard } from './replay-guard.js';

export const MAX_ACTIVE_TOKENS_PER_APP = 2;
export const TOKEN_REVOKED_SUBJECT = 'identity.token.revoked';

export interface IssuedToken {
  token: AccessToken;
  value: string;
}

export interface AppCredentials {
  app: App;
  secretKey: string;
}

/**
 * Tenants, apps and credentials: issuing and revoking access tokens, and checking a token or
 * a signed request for the gateway. Token checks need no database round trip in the common
 * case: the signature and expiry are in the token; revocation state is cached and kept fresh
 * by `identity.token.revoked` events on the bus.
 */
export class IdentityService {
  readonly codec: TokenCodec;
  private revocationCache = new Map<string, { revoked: boolean; until: number }>();
  private static readonly CACHE_MS = 60_000;

  constructor(
    private readonly orm: MikroORM,
    private readonly runtime: ServiceRuntime,
    private readonly replay: ReplayGuard,
  ) {
    this.codec = new TokenCodec(runtime.config.deriveKey('access-tokens'));
  }

  async start(): Promise<void> {
    await this.runtime.bus.subscribe<{ tokenIds: string[] }>(TOKEN_REVOKED_SUBJECT, (e) => {
      for (const id of e.data.tokenIds) this.revocationCache.set(id, { revoked: true, until: Date.now() + IdentityService.CACHE_MS });
    });
  }

  em(): EntityManager {
    return this.orm.em.fork();
  }

  /** Creates the system admin app on first start. Returns the secret only when it was generated now. */
  async bootstrapAdmin(): Promise<{ accessKey: string; secretKey: string | null; created: boolean }> {
    const em = this.em();
    const { ARGUS_ADMIN_ACCESS_KEY: envAk, ARGUS_ADMIN_SECRET_KEY: envSk } = this.runtime.config;
    const existing = await em.findOne(App, { role: AppRole.ADMIN, disabledAt: null }, { orderBy: { createdAt: 'asc' } });
    if (existing) {
      if (envAk && envSk && existing.accessKey === envAk) {
        // keep the admin secret in line with the environment
        if (this.runtime.secrets.open(existing.secretSealed, existing.id) !== envSk) {
          existing.secretSealed = this.runtime.secrets.seal(envSk, existing.id);
          await em.flush();
        }
      }
      return { accessKey: existing.accessKey, secretKey: null, created: false };
    }
    const app = new App();
    app.name = 'admin';
    app.role = AppRole.ADMIN;
    app.accessKey = envAk ?? `AK${randomSecret(12).replace(/[-_]/g, 'x')}`;
    const secretKey = envSk ?? randomSecret(24);
    app.secretSealed = this.runtime.secrets.seal(secretKey, app.id);
    await em.persistAndFlush(app);
    return { accessKey: app.accessKey, secretKey: envSk ? null : secretKey, created: true };
  }

  async createTenant(caller: CallerContext, name: string): Promise<Tenant> {
    requireAdmin(caller);
    const clean = name.trim();
    if (clean.length < 1 || clean.length > 128) throw badInput('name', 'must be 1 to 128 characters');
    const em = this.em();
    if (await em.findOne(Tenant, { name: clean })) throw new ArgusError(ErrorCode.CONFLICT, `a tenant named "${clean}" already exists`, { field: 'name' });
    const tenant = em.create(Tenant, { name: clean } as Tenant);
    await em.flush();
    await this.runtime.bus.publish('identity.tenant.created', { tenantId: tenant.id, name: tenant.name });
    return tenant;
  }

  async createApp(caller: CallerContext, tenantId: string, name: string): Promise<AppCredentials> {
    if (caller.role !== 'ADMIN' && caller.tenantId !== tenantId) {
      throw new ArgusError(ErrorCode.FORBIDDEN, 'an app can create apps only in its own tenant');
    }
    const clean = name.trim();
    if (clean.length < 1 || clean.length > 128) throw badInput('name', 'must be 1 to 128 characters');
    const em = this.em();
    const tenant = await em.findOne(Tenant, { id: tenantId });
    if (!tenant) throw new ArgusError(ErrorCode.NOT_FOUND, `tenant ${tenantId} does not exist`, { field: 'tenantId' });
    const app = new App();
    app.tenantId = tenant.id;
    app.name = clean;
    app.role = AppRole.TENANT;
    app.accessKey = `AK${randomSecret(12).replace(/[-_]/g, 'x')}`;
    const secretKey = randomSecret(24);
    app.secretSealed = this.runtime.secrets.seal(secretKey, app.id);
    await em.persistAndFlush(app);
    return { app, secretKey };
  }

  async tenants(caller: CallerContext): Promise<Tenant[]> {
    const em = this.em();
    if (caller.role === 'ADMIN' && !caller.tenantId) return em.find(Tenant, {}, { orderBy: { createdAt: 'asc' } });
    return caller.tenantId ? em.find(Tenant, { id: caller.tenantId }) : [];
  }

  async apps(caller: CallerContext, tenantId: string | null): Promise<App[]> {
    const scope = caller.role === 'ADMIN' ? tenantId : caller.tenantId;
    if (caller.role !== 'ADMIN' && tenantId && tenantId !== caller.tenantId) throw new ArgusError(ErrorCode.FORBIDDEN, 'not your tenant');
    return this.em().find(App, scope ? { tenantId: scope } : {}, { orderBy: { createdAt: 'asc' } });
  }

  /** Exchanges AK/SK for an access token; the oldest tokens beyond the limit are revoked. */
  async issueToken(accessKey: string, secretKey: string, ttlSeconds?: number): Promise<IssuedToken> {
    const ttl = ttlSeconds ?? this.runtime.config.ACCESS_TOKEN_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 30 * 86400) throw badInput('expiresIn', 'must be between 60 and 2592000 seconds');
    const em = this.em();
    const app = await em.findOne(App, { accessKey });
    const valid = app && !app.disabledAt && safeEqual(this.runtime.secrets.open(app.secretSealed, app.id), secretKey);
    if (!app || !valid) throw new ArgusError(ErrorCode.UNAUTHENTICATED, 'unknown access key or wrong secret key');
    const now = new Date();
    const revoked: string[] = [];
    const token = await em.transactional(async (tx) => {
      const active = await tx.find(
        AccessToken,
        { appId: app.id, revokedAt: null, expiresAt: { $gt: now } },
        { orderBy: { issuedAt: 'asc', id: 'asc' } },
      );
      for (const old of active.slice(0, Math.max(0, active.length - (MAX_ACTIVE_TOKENS_PER_APP - 1)))) {
        old.revokedAt = now;
        revoked.push(old.id);
      }
      const t = tx.create(AccessToken, {
        id: newId('tok'),
        appId: app.id,
        tenantId: app.tenantId,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + ttl * 1000),
        revokedAt: null,
      });
      return t;
    });
    if (revoked.length) await this.publishRevoked(revoked);
    const claims: TokenClaims = {
      jti: token.id,
      appId: app.id,
      tenantId: app.tenantId,
      role: app.role,
      exp: Math.floor(token.expiresAt.getTime() / 1000),
    };
    return { token, value: this.codec.encode(claims) };
  }

  /** Revokes a token by id; an app may revoke only its own tenant's tokens. */
  async revokeToken(caller: CallerContext, tokenId: string): Promise<AccessToken> {
    const em = this.em();
    const token = await em.findOne(AccessToken, { id: tokenId });
    if (!token || (caller.role !== 'ADMIN' && token.tenantId !== caller.tenantId)) {
      throw new ArgusError(ErrorCode.NOT_FOUND, `access token ${tokenId} does not exist`, { field: 'tokenId' });
    }
    if (!token.revokedAt) {
      token.revokedAt = new Date();
      await em.flush();
      await this.publishRevoked([token.id]);
    }
    return token;
  }

  async tokensOf(caller: CallerContext, appId: string): Promise<AccessToken[]> {
    const em = this.em();
    const app = await em.findOne(App, { id: appId });
    if (!app || (caller.role !== 'ADMIN' && app.tenantId !== caller.tenantId)) throw new ArgusError(ErrorCode.NOT_FOUND, `app ${appId} does not exist`);
    return em.find(AccessToken, { appId }, { orderBy: { issuedAt: 'desc' }, limit: 50 });
  }

  /** Checks a bearer token: signature, expiry, revocation. Throws with the precise code. */
  async verifyToken(value: string): Promise<CallerContext> {
    const check = this.codec.decode(value);
    if (!check.ok) {
      if (check.reason === 'EXPIRED') throw new ArgusError(ErrorCode.TOKEN_EXPIRED, 'access token has expired; request a new one with your access key');
      throw new ArgusError(ErrorCode.UNAUTHENTICATED, 'access token is malformed or was not issued by this Argus');
    }
    const { claims } = check;
    if (await this.isRevoked(claims.jti)) throw new ArgusError(ErrorCode.TOKEN_REVOKED, 'access token has been revoked');
    return { tenantId: claims.tenantId, appId: claims.appId, role: claims.role };
  }

  /** Checks a signed server-to-server request (appid, msgSeq, timestamp, signature). */
  async verifySignedRequest(h: SignedRequestHeaders, uri: string, body: string | Buffer, now = Date.now()): Promise<CallerContext> {
    if (!h.appid || !h.msgSeq || !h.timestamp || !h.signature) {
      throw new ArgusError(ErrorCode.BAD_SIGNATURE, 'a signed request needs the headers appid, msgSeq, timestamp and signature');
    }
    if (h.msgSeq.length > 128) throw new ArgusError(ErrorCode.BAD_SIGNATURE, 'msgSeq is longer than 128 characters');
    const ts = /^\d{13}$/.test(h.timestamp) ? Number(h.timestamp) : NaN;
    const windowMs = this.runtime.config.SIGNATURE_WINDOW_SECONDS * 1000;
    if (!Number.isFinite(ts)) throw new ArgusError(ErrorCode.STALE_TIMESTAMP, 'timestamp must be a 13-digit epoch in milliseconds');
    if (Math.abs(now - ts) > windowMs) {
      throw new ArgusError(ErrorCode.STALE_TIMESTAMP, `timestamp is more than ${windowMs / 60000} minutes away from server time`);
    }
    const app = await this.em().findOne(App, { accessKey: h.appid });
    if (!app || app.disabledAt) throw new ArgusError(ErrorCode.BAD_SIGNATURE, 'unknown appid');
    const secret = this.runtime.secrets.open(app.secretSealed, app.id);
    if (!signatureMatches(secret, h, uri, body)) throw new ArgusError(ErrorCode.BAD_SIGNATURE, 'signature does not match the request');
    // a msgSeq may not be reused while its timestamp could still be accepted
    if (!(await this.replay.firstUse(`${app.id}:${h.msgSeq}`, 2 * windowMs))) {
      throw new ArgusError(ErrorCode.REPLAYED_REQUEST, `msgSeq ${h.msgSeq} was already used`);
    }
    return { tenantId: app.tenantId, appId: app.id, role: app.role };
  }

  private async isRevoked(jti: string): Promise<boolean> {
    const cached = this.revocationCache.get(jti);
    if (cached && cached.until > Date.now()) return cached.revoked;
    const row = await this.em().findOne(AccessToken, { id: jti });
    const revoked = !row || row.revokedAt !== null;
    this.revocationCache.set(jti, { revoked, until: Date.now() + IdentityService.CACHE_MS });
    if (this.revocationCache.size > 100_000) this.revocationCache.clear();
    return revoked;
  }

  private async publishRevoked(tokenIds: string[]) {
    for (const id of tokenIds) this.revocationCache.set(id, { revoked: true, until: Date.now() + IdentityService.CACHE_MS });
    await this.runtime.bus.publish(TOKEN_REVOKED_SUBJECT, { tokenIds });
  }
}

export function requireAdmin(caller: CallerContext): void {
  if (caller.role !== 'ADMIN') throw new ArgusError(ErrorCode.FORBIDDEN, 'this operation needs the admin app');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
