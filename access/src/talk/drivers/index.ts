import type { TalkDriver, TalkDriverName } from '../types.js';
import { onvifBackchannelDriver } from './onvif-backchannel.js';
import { isapiTwoWayAudioDriver } from './isapi-two-way-audio.js';
import { gb28181TalkDriver } from './gb28181-talk.js';

/** Talk drivers by name. */
export const TALK_DRIVERS: Record<TalkDriverName, TalkDriver> = {
  ONVIF: onvifBackchannelDriver,
  ISAPI: isapiTwoWayAudioDriver,
  GB28181: gb28181TalkDriver,
};

/** Which driver talks to a device of each protocol (devices of other protocols cannot talk). */
export const TALK_DRIVER_OF_PROTOCOL: Record<string, TalkDriverName> = {
  RTSP: 'ONVIF',
  ISAPI: 'ISAPI',
  GB28181: 'GB28181',
};
