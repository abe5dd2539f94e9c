export * from './media-types.js';
export * from './reader.js';
export * from './shared-format.js';
export * from './stream.js';
export * from './stream-hub.js';
export * from './batch-writer.js';
