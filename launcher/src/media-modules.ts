import { rtmpModule, flvModule, hlsModule, rtspModule, webrtcModule, type MediaModule } from '@argus/media';

/** The protocol modules a media node runs: RTMP publish/play, HTTP/WS-FLV, HLS/LL-HLS, RTSP play/publish, WebRTC (WHEP). */
export function mediaModules(): MediaModule[] {
  return [rtmpModule(), flvModule(), hlsModule(), rtspModule(), webrtcModule()];
}
