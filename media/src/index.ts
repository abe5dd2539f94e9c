export * from './hub/index.js';
export * from './access/play-authorizer.js';
export * from './access/stream-path.js';
export * from './media-config.js';
export * from './media-server.js';
export * from './node-heartbeat.js';
export * from './media-node.js';
