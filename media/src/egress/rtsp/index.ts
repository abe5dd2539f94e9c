/** RTSP server module: play (DESCRIBE/SETUP/PLAY) and publish (ANNOUNCE/SETUP/RECORD). */
export { createRtspModule, rtspModule, type RtspModule, type RtspModuleHandle } from './rtsp-module.js';
export type { RtspModuleOptions } from './server-state.js';
export { sdpFromTracks } from './sdp-from-tracks.js';
export { bindUdpPair, type UdpPair } from './udp-pair.js';
