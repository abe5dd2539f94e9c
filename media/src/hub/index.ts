export * from './media-types.js';
export * from './reader.js';
export * from './stream.js';
export * from './stream-hub.js';
