import { INTERNAL_CONTEXT_HEADER, type InternalContextSigner } from '../auth/internal-context.js';
import { ArgusError, ErrorCode } from '../errors.js';
import type { EntitlementSource } from './checker.js';
import type { EntitlementScope, EntitlementSnapshot } from './types.js';

/**
 * Billing's service-only route: GET <billing>/internal/entitlements?tenantId=…&channelId=… (or deviceId=…)
 * answers one scope; POST with { tenantId, scopes: [{ channelId } | { deviceId }, …] } (at most
 * ENTITLEMENTS_BATCH_MAX) answers { snapshots: [...] } in the same order.
 */
export const ENTITLEMENTS_ROUTE = '/internal/entitlements';
export const ENTITLEMENTS_BATCH_MAX = 500;

/** Reads entitlements from the billing subgraph over HTTP, signed as an Argus service. */
export class HttpEntitlementSource implements EntitlementSource {
  private readonly base: string;

  /** `billingUrl`: the billing subgraph's GraphQL URL (config.subgraphUrl('billing')) or its origin. */
  constructor(
    billingUrl: string,
    private readonly signer: InternalContextSigner,
    private readonly timeoutMs = 5000,
  ) {
    this.base = billingUrl.replace(/\/graphql\/?$/, '').replace(/\/+$/, '');
  }

  async load(tenantId: string, scope: EntitlementScope): Promise<EntitlementSnapshot> {
    const q = new URLSearchParams({ tenantId, ...scope });
    const res = await fetch(`${this.base}${ENTITLEMENTS_ROUTE}?${q}`, {
      headers: { [INTERNAL_CONTEXT_HEADER]: this.signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }) },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new ArgusError(ErrorCode.UNAVAILABLE, `billing answered HTTP ${res.status} for entitlements`);
    return (await res.json()) as EntitlementSnapshot;
  }

  async loadMany(tenantId: string, scopes: readonly EntitlementScope[]): Promise<EntitlementSnapshot[]> {
    const res = await fetch(`${this.base}${ENTITLEMENTS_ROUTE}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_CONTEXT_HEADER]: this.signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }),
      },
      body: JSON.stringify({ tenantId, scopes }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new ArgusError(ErrorCode.UNAVAILABLE, `billing answered HTTP ${res.status} for entitlements`);
    return ((await res.json()) as { snapshots: EntitlementSnapshot[] }).snapshots;
  }
}
