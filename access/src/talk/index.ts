/** Talk through the access plane: target resolution (access process) and device legs (media node). */
export { startTalkTargets } from './talk-targets.js';
export { createTalkDeviceConnector, type TalkDeviceConnectorHandle, type TalkDeviceConnectorOptions } from './device-connector.js';
export { TALK_DRIVERS, TALK_DRIVER_OF_PROTOCOL } from './drivers/index.js';
export { onvifBackchannelDriver, ONVIF_BACKCHANNEL_REQUIRE } from './drivers/onvif-backchannel.js';
export { isapiTwoWayAudioDriver } from './drivers/isapi-two-way-audio.js';
export { gb28181TalkDriver } from './drivers/gb28181-talk.js';
export type * from './types.js';
