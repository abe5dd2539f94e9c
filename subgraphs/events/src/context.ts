import type { Bus, SubgraphContext } from '@argus/platform';
import type { AlarmService } from './alarm-service.js';

export interface EventsContext extends SubgraphContext {
  alarms: AlarmService;
  bus: Bus;
}
