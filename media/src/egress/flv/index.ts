export { flvModule } from './flv-module.js';
export { FLV_FORMAT, FlvEncoder, FlvPacket, FlvPreludes, flvHeaderFlags, rtmpMessageOf, streamTimestamp } from './flv-packets.js';
export { httpFlvRoute } from './http-flv.js';
export { wsFlvRoute } from './ws-flv.js';
