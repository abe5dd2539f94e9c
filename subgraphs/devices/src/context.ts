import type { Bus, SubgraphContext } from '@argus/platform';
import { Batcher } from './batch.js';
import type { DevicesService } from './devices-service.js';
import type { Device } from './entities/device.js';
import type { Channel } from './entities/channel.js';
import type { DeviceGroup } from './entities/device-group.js';

/** Per-request batch loaders: one query per kind of lookup however many rows a response needs. */
export interface Loaders {
  device: Batcher<string, Device>;
  channel: Batcher<string, Channel>;
  group: Batcher<string, DeviceGroup>;
  channelsOfDevice: Batcher<string, Channel[]>;
  childrenOfGroup: Batcher<string, DeviceGroup[]>;
}

export function createLoaders(service: DevicesService): Loaders {
  return {
    device: new Batcher((ids) => service.devicesByIds(ids)),
    channel: new Batcher((ids) => service.channelsByIds(ids)),
    group: new Batcher((ids) => service.groupsByIds(ids)),
    channelsOfDevice: new Batcher((ids) => service.channelsByDeviceIds(ids)),
    childrenOfGroup: new Batcher((ids) => service.childrenByParentIds(ids)),
  };
}

export interface DevicesContext extends SubgraphContext {
  devices: DevicesService;
  bus: Bus;
  loaders: Loaders;
}
