// Public API of @argus/protocols: pure codecs, bytes to values and back.
export * from './tlv/index.js';
export * from './mpegts/index.js';
export * from './fmp4/index.js';
export * from './rtsp/index.js';
export * from './sdp/index.js';
export * from './rtp/index.js';
export * from './codecs/index.js';
export * from './rtmp/index.js';
export * from './flv/index.js';
export * from './ogg/index.js';
export * from './talk/index.js';
