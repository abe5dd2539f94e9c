import type { BlobUrlSigner, Bus, ChannelDirectory, EntitlementChecker, SubgraphContext } from '@argus/platform';
import type { AlarmService } from './alarm-service.js';

export interface EventsContext extends SubgraphContext {
  alarms: AlarmService;
  bus: Bus;
  /** Channels and devices (names for Alarm.channel and Alarm.device), from the devices subgraph. */
  channels: Pick<ChannelDirectory, 'lookup' | 'device'>;
  /** Signs Alarm.pictures URLs (served by the gateway). */
  pictureUrls: BlobUrlSigner;
  /** Billing's say on delivering an alarm live: its channel (or device) needs MANAGE and DATAFLOW. */
  entitlements: Pick<EntitlementChecker, 'allows'>;
}
