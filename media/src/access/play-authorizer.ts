import type { Redis } from 'ioredis';
import { PLAYER_PROTOCOLS, PlayTokenCodec, type Bus, type PlayProtocol, type PlayStream, type PlayTokenClaims } from '@argus/platform';

/** How long the player page may fall back and reconnect on the use its page load consumed (s). */
export const PLAYER_TICKET_SECONDS = 300;

/** Why a player is turned away; `status` is the HTTP status (RTSP uses the same numbers). */
export class PlayRefused extends Error {
  constructor(readonly status: 401 | 403 | 404 | 503, readonly code: string, message: string) {
    super(message);
    this.name = 'PlayRefused';
  }
}

/** Counts uses of play grants: in memory on one node, in Redis across nodes. */
export interface UseCounter {
  /** Increments and returns the new count; the counter lives until `expiresAtSeconds`. */
  increment(grantId: string, expiresAtSeconds: number): Promise<number>;
}

export class MemoryUseCounter implements UseCounter {
  private counts = new Map<string, { n: number; until: number }>();
  async increment(grantId: string, expiresAtSeconds: number): Promise<number> {
    const now = Date.now() / 1000;
    if (this.counts.size > 100_000) for (const [k, v] of this.counts) if (v.until < now) this.counts.delete(k);
    const entry = this.counts.get(grantId) ?? { n: 0, until: expiresAtSeconds };
    entry.n++;
    this.counts.set(grantId, entry);
    return entry.n;
  }
}

export class RedisUseCounter implements UseCounter {
  constructor(private readonly redis: Redis) {}
  async increment(grantId: string, expiresAtSeconds: number): Promise<number> {
    const key = `argus:playuse:${grantId}`;
    const [[, n]] = (await this.redis.multi().incr(key).expireat(key, expiresAtSeconds + 60).exec()) as [[unknown, number]];
    return n;
  }
}

export interface PlayTarget {
  channelId: string;
  stream: PlayStream;
  protocol: PlayProtocol;
}

/**
 * Checks play tokens without a database: the signature and claims are in the token; uses
 * are counted per grant; revocations arrive on the bus (`media.grant.revoked`).
 */
export class PlayAuthorizer {
  private revoked = new Map<string, number>();

  private entitlements: { require(tenantId: string, channelId: string, type: 'MANAGE'): Promise<void> } | null = null;

  constructor(
    private readonly codec: PlayTokenCodec,
    private readonly uses: UseCounter,
  ) {}

  /**
   * Billing's say at play time (the platform EntitlementChecker): a URL issued before its channel
   * lost MANAGE, or before its tenant fell into arrears, is refused when opened. When billing cannot
   * be asked the signed token stands (it was issued with MANAGE).
   */
  useEntitlements(gate: { require(tenantId: string, channelId: string, type: 'MANAGE'): Promise<void> }): void {
    this.entitlements = gate;
  }

  async watchRevocations(bus: Bus): Promise<void> {
    await bus.subscribe<{ grantId: string }>('media.grant.revoked', (e) => {
      this.revoked.set(e.data.grantId, Date.now() + 86_400_000);
      if (this.revoked.size > 100_000) {
        const now = Date.now();
        for (const [k, until] of this.revoked) if (until < now) this.revoked.delete(k);
      }
    });
  }

  /** Checks without consuming a use (e.g. for the segments of an HLS session already counted). */
  check(token: string | null | undefined, target: PlayTarget): PlayTokenClaims {
    if (!token) throw new PlayRefused(401, 'TOKEN_MISSING', 'a play token is required (?token=…)');
    const result = this.codec.verify(token);
    if (!result.ok) {
      if (result.reason === 'EXPIRED') throw new PlayRefused(401, 'TOKEN_EXPIRED', 'play token has expired');
      throw new PlayRefused(401, 'TOKEN_INVALID', 'play token is malformed or not signed by this Argus');
    }
    const c = result.claims;
    if (this.revoked.has(c.grantId)) throw new PlayRefused(401, 'TOKEN_REVOKED', 'play URL has been revoked');
    if (c.channelId !== target.channelId || c.stream !== target.stream) {
      throw new PlayRefused(403, 'TOKEN_SCOPE', 'play token is for another stream');
    }
    // a player-page token also opens the protocols the page falls back through
    const covered = c.protocol === target.protocol || (c.protocol === 'PLAYER' && PLAYER_PROTOCOLS.includes(target.protocol));
    if (!covered) throw new PlayRefused(403, 'TOKEN_SCOPE', `play token is for ${c.protocol}, not ${target.protocol}`);
    return c;
  }

  /**
   * The token a player page uses for its media requests once opening the page consumed a use:
   * the same grant (revocation still applies) without a use limit, valid for
   * PLAYER_TICKET_SECONDS at most. An unlimited token is its own ticket.
   */
  pageTicket(token: string, claims: PlayTokenClaims, nowSeconds = Math.floor(Date.now() / 1000)): string {
    if (claims.maxUses === 0) return token;
    return this.codec.sign({ ...claims, maxUses: 0, exp: Math.min(claims.exp, nowSeconds + PLAYER_TICKET_SECONDS) });
  }

  /** Checks and consumes one use. */
  async authorize(token: string | null | undefined, target: PlayTarget): Promise<PlayTokenClaims> {
    const claims = this.check(token, target);
    if (this.entitlements) {
      await this.entitlements.require(claims.tenantId, claims.channelId, 'MANAGE').catch((err: { code?: string; message?: string }) => {
        if (err?.code === 'UNAVAILABLE') return;
        throw new PlayRefused(403, err?.code ?? 'ENTITLEMENT_MISSING', err?.message ?? 'the channel may not be played now');
      });
    }
    if (claims.maxUses > 0) {
      const n = await this.uses.increment(claims.grantId, claims.exp);
      if (n > claims.maxUses) throw new PlayRefused(403, 'TOKEN_USED', `play URL may be opened ${claims.maxUses} time(s) and was used up`);
    }
    return claims;
  }
}
