/**
 * Talk through the access plane: one interface, a driver per device protocol. A driver has two
 * halves, run in two places (docs/decisions/0006): `resolve` in the access plane names how to
 * reach a channel's device (from the devices subgraph's record), `open` in the media node that
 * serves the talker opens the device leg itself, so talk audio goes straight media node ⇄ device.
 */
import type { Logger } from '@argus/platform';
import type { DeviceTalk, DeviceTalkRequest } from '@argus/media';
import type { ChannelSource } from '../channel-source.js';

export type TalkDriverName = 'ONVIF' | 'ISAPI' | 'GB28181';

/** How a media node reaches a device for talk (travels on the bus, the password sealed). */
export interface TalkDeviceTarget {
  driver: TalkDriverName;
  /** ONVIF: the camera's RTSP URL; ISAPI: http(s)://host[:port] of the device. */
  url: string;
  /** The device's channel number (ISAPI two-way audio channel id, GB28181 channel). */
  channel: number;
  username: string | null;
  password: string | null;
}

export interface TalkDriver {
  readonly name: TalkDriverName;
  /** Access plane: the target of a channel's device; throws DeviceTalkUnavailable when there is none. */
  resolve(source: ChannelSource): TalkDeviceTarget;
  /** Media node: opens the device leg; throws DeviceTalkUnavailable when the device refuses or cannot be reached. */
  open(target: TalkDeviceTarget, request: DeviceTalkRequest, options: TalkDriverOptions): Promise<DeviceTalk>;
}

export interface TalkDriverOptions {
  logger: Logger;
  /** Per request / connection attempt (default 10 s). */
  timeoutMs?: number;
}

/** `talk.device.requested` (media node → access plane). */
export interface TalkDeviceRequested {
  sessionId: string;
  tenantId: string;
  channelId: string;
  nodeId: string;
}

/** `talk.device.resolved` (access plane → media node). */
export interface TalkDeviceResolved {
  sessionId: string;
  nodeId: string;
  target: Omit<TalkDeviceTarget, 'password'> & { passwordSealed: string | null };
}

/** `talk.device.unavailable`. */
export interface TalkDeviceUnavailableEvent {
  sessionId: string;
  nodeId: string;
  reason: string;
}
