export { RtmpPlayer, type RtmpPlaySink } from './rtmp-player.js';
