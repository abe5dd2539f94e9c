export { rtmpModule, type RtmpModule } from './rtmp-module.js';
export { RtmpConnection } from './rtmp-connection.js';
export { RtmpPublisher } from './rtmp-publisher.js';
export { resolveRtmpTarget, type RtmpTarget } from './rtmp-stream-name.js';
