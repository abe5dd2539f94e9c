/**
 * Talk from a browser over WebRTC: POST an SDP offer (application/sdp) to
 * `…/talk/webrtc?token=…`. The WebRTC engineering of the media node (egress/webrtc) turns an offer
 * and a TalkLeg into an answer; until that function exists on this node, the route checks nothing
 * and answers 501 NOT_IMPLEMENTED, so no talk URL is used up by a request that cannot succeed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TALK_PATHS, type Logger } from '@argus/platform';
import type { PrefixRoute } from '../../media-server.js';
import type { TalkNode } from '../talk-node.js';

export function webrtcTalkRoute(_talk: TalkNode, _log: Logger): PrefixRoute {
  return {
    prefix: TALK_PATHS.WEBRTC,
    http(_req: IncomingMessage, res: ServerResponse) {
      const body = JSON.stringify({ error: { code: 'NOT_IMPLEMENTED', message: 'WebRTC talk is not available on this media node yet; use RTSP or WEBSOCKET talk' } });
      res.writeHead(501, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'access-control-allow-origin': '*' });
      res.end(body);
    },
  };
}
