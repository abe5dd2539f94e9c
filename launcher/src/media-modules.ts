import { entitlementsFor, type ServiceRuntime } from '@argus/platform';
import { rtmpModule, flvModule, hlsModule, rtspModule, webrtcModule, playerModule, talkModule, talkConfigFromEnv, type MediaModule } from '@argus/media';
import { createTalkDeviceConnector } from '@argus/access';

/**
 * The protocol modules a media node runs: RTMP publish/play, HTTP/WS-FLV, HLS/LL-HLS, RTSP play/publish, WebRTC (WHEP, WHIP),
 * the player page, and talk (its device legs opened with the access plane's talk drivers).
 */
export function mediaModules(runtime: ServiceRuntime): MediaModule[] {
  const connector = createTalkDeviceConnector(runtime, { timeoutMs: talkConfigFromEnv().deviceTimeoutMs });
  runtime.lifecycle.onStop('talk-devices', () => connector.close());
  return [rtmpModule(), flvModule(), hlsModule(), rtspModule(), webrtcModule(), playerModule(), talkModule({ connector, entitlements: entitlementsFor(runtime) })];
}
