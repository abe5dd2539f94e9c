/** Argus's WebSocket talk framing: audio frames with a small header, JSON control messages. */
export {
  encodeTalkWsAudio, decodeTalkWsAudio, TALK_WS_AUDIO, TALK_WS_HEADER_BYTES, TALK_WS_MAX_PAYLOAD, TALK_WS_CLOSE,
  type TalkWsAudio, type TalkWsControl,
} from './ws-frame.js';
