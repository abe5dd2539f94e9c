/** Two-way talk on a media node: sessions, transports (RTSP backchannel, WebSocket, WebRTC), device legs, audio conversion. */
export type { TalkCodec, TalkAudioFrame, TalkLeg, TalkLegProvider } from './talk-leg.js';
export { talkModule, type TalkModule, type TalkModuleOptions } from './talk-module.js';
export { TalkNode, TALK_END, type TalkSessionInfo } from './talk-node.js';
export { TalkRefused } from './talk-refused.js';
export { talkConfigFromEnv, type TalkConfig } from './talk-config.js';
export { DeviceTalkUnavailable, type DeviceTalk, type DeviceTalkConnector, type DeviceTalkRequest } from './device-talk.js';
export { DeviceTalkLeg } from './device-talk-leg.js';
export {
  createAudioConverter, describeFormat, sameFormat, supportedRate, l16ToSamples, samplesToL16,
  type AudioFormat, type AudioConverter, type EncodedAudio,
} from './audio/audio-converter.js';
export { Resampler } from './audio/resampler.js';
export { ToneGenerator, measureToneHz, rms } from './audio/tone.js';
export { RtpAudioSender, RtpAudioReceiver, sdpAudioMedia, audioFormatsOf, payloadTypeOf, rtpClockRate, type RtpAudioFormat } from './rtp-audio.js';
export { ONVIF_BACKCHANNEL, TALK_TRACKS } from './rtsp/backchannel-route.js';
