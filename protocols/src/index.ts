// Public API of @argus/protocols: pure codecs, bytes to values and back.
export * from './tlv/index.js';
export * from './mpegts/index.js';
export * from './fmp4/index.js';
