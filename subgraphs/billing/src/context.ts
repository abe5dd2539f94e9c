import type { SubgraphContext } from '@argus/platform';
import type { BillingService } from './billing-service.js';
import type { BatchLoader } from './batch-loader.js';
import type { Entitlement } from './entitlement.js';

export interface BillingContext extends SubgraphContext {
  billing: BillingService;
  /** Per request: entitlements of many channels in one query. */
  entitlements: BatchLoader<string, Entitlement[]>;
}
