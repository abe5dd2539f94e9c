import { rtmpModule, flvModule, hlsModule, rtspModule, type MediaModule } from '@argus/media';

/** The protocol modules a media node runs: RTMP publish/play, HTTP/WS-FLV, HLS/LL-HLS, RTSP play/publish. */
export function mediaModules(): MediaModule[] {
  return [rtmpModule(), flvModule(), hlsModule(), rtspModule()];
}
