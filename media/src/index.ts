export * from './hub/index.js';
export * from './access/play-authorizer.js';
export * from './access/stream-path.js';
export * from './media-config.js';
export * from './media-server.js';
