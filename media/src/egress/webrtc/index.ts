/**
 * WebRTC on a media node (module 'webrtc'): WHEP playback at /live/<ch>/<stream>/whep, with the
 * shared pieces WHIP ingest and browser talk use (peer setup, sessions, HTTP).
 */
export { webrtcModule, type WebRtcModule, type WebRtcModuleOptions } from './webrtc-module.js';
export { webrtcConfigFromEnv, iceServerLinks, WEBRTC_DEFAULTS, type WebRtcConfig, type IceServer } from './webrtc-config.js';
export { WhepSession, planWhep } from './whep-session.js';
export { WebRtcSessions, type WebRtcSession, type WebRtcSessionKind } from './sessions.js';
export { BadOffer, checkOffer } from './peer.js';
export { openWebRtcTalk, WebRtcTalkSession, type WebRtcTalkHandle, type WebRtcTalkOptions } from './talk-session.js';
