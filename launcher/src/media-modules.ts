import { rtmpModule, flvModule, hlsModule, rtspModule, webrtcModule, playerModule, type MediaModule } from '@argus/media';

/** The protocol modules a media node runs: RTMP publish/play, HTTP/WS-FLV, HLS/LL-HLS, RTSP play/publish, WebRTC (WHEP, WHIP), the player page. */
export function mediaModules(): MediaModule[] {
  return [rtmpModule(), flvModule(), hlsModule(), rtspModule(), webrtcModule(), playerModule()];
}
