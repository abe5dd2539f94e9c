/**
 * Plain enums and limits of the devices domain (no decorators: unit tests import this file).
 * The GraphQL enum types are registered in graphql-enums.ts.
 */

/** How a device talks to Argus. */
export enum DeviceProtocol {
  HTTP_PUSH = 'HTTP_PUSH',
  ISAPI = 'ISAPI',
  GB28181 = 'GB28181',
  ISUP = 'ISUP',
  RTMP = 'RTMP',
  RTSP = 'RTSP',
}

export enum DeviceStatus {
  ONLINE = 'ONLINE',
  OFFLINE = 'OFFLINE',
}

export enum ChannelKind {
  VIDEO = 'VIDEO',
  AUDIO = 'AUDIO',
  ALARM_IN = 'ALARM_IN',
  ALARM_OUT = 'ALARM_OUT',
}

export enum ChannelStatus {
  ONLINE = 'ONLINE',
  OFFLINE = 'OFFLINE',
}

export enum DeviceOrderField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  LAST_SEEN_AT = 'LAST_SEEN_AT',
  STATUS = 'STATUS',
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

export enum DeviceChangeKind {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
  STATUS = 'STATUS',
}

export const LIMITS = {
  name: 128,
  deviceCode: 64,
  vendor: 64,
  model: 64,
  firmware: 64,
  address: 512,
  username: 128,
  password: 256,
  search: 128,
  /** Channel numbers are 1 … maxChannelIndex. */
  maxChannelIndex: 4096,
  /** At most this many channels in one createDevice (channels or channelCount). */
  maxChannelsPerCreate: 1024,
  /** Groups nest at most this deep (a root group has depth 0). */
  maxGroupDepth: 15,
} as const;

/** Bus subjects this subgraph publishes and consumes. */
export const SUBJECTS = {
  deviceCreated: 'device.created',
  deviceUpdated: 'device.updated',
  deviceDeleted: 'device.deleted',
  channelCreated: 'channel.created',
  channelUpdated: 'channel.updated',
  channelDeleted: 'channel.deleted',
  /** Published by the access plane (drivers): a device was seen online / went offline. */
  deviceStatus: 'device.status',
  /** Published by devices after it applied a device.status event that changed the status. */
  deviceStatusChanged: 'device.status.changed',
} as const;

/** Work-queue group that applies device.status events to the store. */
export const STATUS_GROUP = 'devices-status';
