/**
 * The `alarm.raised` payload the push driver publishes (read by subgraphs/events alarmFromEvent).
 * `type` and `sourceCode` carry the vendor's code as sent; the events taxonomy maps it to an Argus type.
 */
export const ALARM_RAISED = 'alarm.raised';
export const DEVICE_STATUS = 'device.status';
export const DEVICE_UNKNOWN = 'device.unknown';

export type AlarmLevelName = 'INFO' | 'MINOR' | 'MAJOR' | 'CRITICAL';
export type AlarmStatusName = 'START' | 'STOP' | 'PULSE';
export type AlarmKind = 'alarm' | 'event' | 'tlv' | 'temperature' | 'environment' | 'snapshot';

export interface PushPicture {
  contentType: string;
  dataBase64: string;
}

export interface PushAlarmAttributes {
  source: 'http-push';
  kind: AlarmKind;
  pictures: PushPicture[];
  [field: string]: unknown;
}

export interface PushAlarmRaised {
  alarmId?: string;
  tenantId: string;
  deviceId: string;
  channelId: string | null;
  type: string;
  sourceCode: string;
  level?: AlarmLevelName;
  status: AlarmStatusName;
  occurredAt: string;
  description: string;
  dedupeKey?: string;
  attributes: PushAlarmAttributes;
}

/** `device.status` (consumed by the devices subgraph). */
export interface DeviceStatusEvent {
  tenantId: string;
  deviceId: string;
  status: 'ONLINE' | 'OFFLINE';
  at: string;
}

/** `device.unknown`: a device code that no HTTP_PUSH device has pushed (refused with 401). */
export interface DeviceUnknownEvent {
  deviceCode: string;
  remote: string;
  at: string;
}
