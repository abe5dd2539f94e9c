import type { SubgraphContext } from '@argus/platform';
import type { Billing } from './billing.js';
import type { BatchLoader } from './batch-loader.js';
import type { Entitlement } from './entitlement.js';
import type { Account } from './entities/account.js';

export interface BillingContext extends SubgraphContext {
  billing: Billing;
  /** Per request: entitlements of many channels in one pass. */
  entitlementsOf: BatchLoader<string, Entitlement[]>;
  /** Per request: a tenant's account, read once. */
  accountOf(tenantId: string): Promise<Account>;
}
