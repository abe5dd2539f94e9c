/** Pulling RTSP cameras into the hub (the access plane calls startRtspPull on media.stream.requested). */
export { startRtspPull, type RtspPull, type RtspPullOptions } from './rtsp-pull.js';
export { RtspClient, RtspClientError, type RtspCredentials } from './rtsp-client.js';
