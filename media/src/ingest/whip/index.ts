/** WHIP ingest (part of the 'webrtc' module): browsers and WHIP clients publish into the hub. */
export { whipRoute, type WhipRouteOptions } from './whip-route.js';
export { WhipSession, type WhipSessionOptions } from './whip-session.js';
