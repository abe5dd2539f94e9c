import type { SubgraphContext } from '@argus/platform';
import type { IdentityService } from './identity-service.js';

export interface IdentityContext extends SubgraphContext {
  identity: IdentityService;
}
