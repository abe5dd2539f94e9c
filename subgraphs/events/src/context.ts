import type { BlobUrlSigner, Bus, SubgraphContext } from '@argus/platform';
import type { AlarmService } from './alarm-service.js';

export interface EventsContext extends SubgraphContext {
  alarms: AlarmService;
  bus: Bus;
  /** Signs Alarm.pictures URLs (served by the gateway). */
  pictureUrls: BlobUrlSigner;
}
