export { flvModule } from './flv-module.js';
export { flvFeed, flvHeaderFlags } from './flv-feed.js';
export { httpFlvRoute } from './http-flv.js';
export { wsFlvRoute } from './ws-flv.js';
export { writeWithBackpressure } from './write-with-backpressure.js';
