import { registerEnumType } from 'type-graphql';
import { ChannelKind, ChannelStatus, DeviceChangeKind, DeviceOrderField, DeviceProtocol, DeviceStatus, OrderDirection } from './model.js';

registerEnumType(DeviceProtocol, {
  name: 'DeviceProtocol',
  description: 'How the device talks to Argus: HTTP_PUSH (events pushed over HTTP), ISAPI, GB28181, ISUP, RTMP (device pushes a stream), RTSP (Argus pulls a stream).',
});
registerEnumType(DeviceStatus, { name: 'DeviceStatus', description: 'Reachability as last reported by the access plane.' });
registerEnumType(ChannelKind, { name: 'ChannelKind' });
registerEnumType(ChannelStatus, { name: 'ChannelStatus', description: 'Follows the status of the channel\'s device.' });
registerEnumType(DeviceOrderField, { name: 'DeviceOrderField' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });
registerEnumType(DeviceChangeKind, {
  name: 'DeviceChangeKind',
  description: 'CREATED, UPDATED (configuration or group), DELETED, STATUS (went ONLINE or OFFLINE).',
});

export { ChannelKind, ChannelStatus, DeviceChangeKind, DeviceOrderField, DeviceProtocol, DeviceStatus, OrderDirection };
