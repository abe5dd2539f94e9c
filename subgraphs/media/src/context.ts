import type { SubgraphContext } from '@argus/platform';
import type { MediaService } from './media-service.js';

export interface MediaContext extends SubgraphContext {
  media: MediaService;
}
