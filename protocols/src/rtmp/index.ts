/**
 * RTMP codecs: handshake, chunk stream reader and writer, AMF0, and the messages of RTMP
 * (protocol control 1–6, user control 4, audio 8, video 9, data 18, command 20).
 * Audio and video message bodies are FLV tag bodies: see ../flv.
 */
export { RtmpError, RtmpErrorCode, isRtmpError } from './errors.js';
export {
  Amf0EcmaArray, Amf0Marker, decodeAmf0, decodeAmf0All, encodeAmf0,
  type Amf0Value, type Amf0DecodeOptions,
} from './amf0.js';
export { RtmpServerHandshake, RtmpClientHandshake, RTMP_HANDSHAKE_SIZE, RTMP_VERSION, type HandshakeStep } from './handshake.js';
export { RtmpChunkReader, RTMP_DEFAULT_CHUNK_SIZE, RTMP_MAX_CHUNK_SIZE, type ChunkReaderOptions } from './chunk-reader.js';
export { RtmpChunkWriter, encodeRtmpChunks } from './chunk-writer.js';
export {
  RtmpMessageType, UserControlEvent, RtmpChunkStream,
  setChunkSizeMessage, abortMessage, acknowledgementMessage, windowAckSizeMessage, setPeerBandwidthMessage,
  userControlMessage, parseUserControl, parseControlValue, commandMessage, dataMessage, onStatusMessage, parseCommand, parseData, splitAggregate,
  type RtmpMessage, type RtmpCommand, type UserControl,
} from './messages.js';
