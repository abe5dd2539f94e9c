/**
 * Checks talk tokens on a media node without a database: signature, expiry, transport, and the
 * single use (counted in memory on one node, in Redis across nodes), TALK still entitled. Sessions the control plane
 * stopped or took over arrive as `talk.revoked` on the bus: their tokens are refused from then on
 * and listeners (the node's live sessions) end them.
 */
import { TALK_SUBJECTS, type Bus, type TalkRevokedEvent, type TalkTokenClaims, type TalkTokenCodec, type TalkTransport } from '@argus/platform';
import type { UseCounter } from '../access/play-authorizer.js';
import { TalkRefused } from './talk-refused.js';

/** Billing's say (the platform EntitlementChecker). */
export interface TalkEntitlementGate {
  require(tenantId: string, channelId: string, type: 'TALK'): Promise<void>;
}

export class TalkAuthorizer {
  private readonly revoked = new Map<string, number>();
  private readonly listeners = new Set<(e: TalkRevokedEvent) => void>();
  private entitlements: TalkEntitlementGate | null = null;

  constructor(
    private readonly codec: TalkTokenCodec,
    private readonly uses: UseCounter,
  ) {}

  /**
   * Checks TALK again when a URL is used: one issued before its channel lost TALK, or before its
   * tenant fell into arrears, is refused with billing's code. When billing cannot be asked, the
   * signed token stands (it was issued with TALK).
   */
  useEntitlements(gate: TalkEntitlementGate): void {
    this.entitlements = gate;
  }

  async watchRevocations(bus: Bus): Promise<void> {
    await bus.subscribe<TalkRevokedEvent>(TALK_SUBJECTS.revoked, (e) => {
      this.revoke(e.data);
    });
  }

  revoke(e: TalkRevokedEvent): void {
    const now = Date.now();
    this.revoked.set(e.sessionId, now + 3_600_000);
    if (this.revoked.size > 100_000) for (const [k, until] of this.revoked) if (until < now) this.revoked.delete(k);
    for (const l of this.listeners) l(e);
  }

  onRevoked(listener: (e: TalkRevokedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks without consuming the use. */
  check(token: string | null | undefined, transport: TalkTransport): TalkTokenClaims {
    if (!token) throw new TalkRefused(401, 'TOKEN_MISSING', 'a talk token is required (?token=…)');
    const result = this.codec.verify(token);
    if (!result.ok) {
      if (result.reason === 'EXPIRED') throw new TalkRefused(401, 'TOKEN_EXPIRED', 'the talk URL has expired; ask for a new one (startTalk)');
      throw new TalkRefused(401, 'TOKEN_INVALID', 'talk token is malformed or not signed by this Argus');
    }
    const c = result.claims;
    if (this.revoked.has(c.sessionId)) throw new TalkRefused(401, 'TOKEN_REVOKED', 'the talk session was stopped or taken over');
    if (c.transport !== transport) throw new TalkRefused(403, 'TOKEN_SCOPE', `the talk URL is for ${c.transport}, not ${transport}`);
    return c;
  }

  /** Consumes the single use of the session's URL. */
  async consume(claims: TalkTokenClaims): Promise<void> {
    if (this.entitlements) {
      await this.entitlements.require(claims.tenantId, claims.channelId, 'TALK').catch((err: { code?: string; message?: string }) => {
        if (err?.code === 'UNAVAILABLE') return;
        throw new TalkRefused(403, err?.code ?? 'ENTITLEMENT_MISSING', err?.message ?? 'the channel may not talk now');
      });
    }
    const n = await this.uses.increment(`talk:${claims.sessionId}`, claims.exp);
    if (n > 1) throw new TalkRefused(403, 'TOKEN_USED', 'the talk URL can be used once and was already used; ask for a new one (startTalk)');
  }
}
