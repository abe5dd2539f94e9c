/**
 * Talk from a browser over WebRTC on the media node's HTTP port (WHIP-like):
 *   POST   /talk/webrtc?token=…   SDP offer (application/sdp, send-receive audio) → 201, SDP answer, Location
 *   PATCH  /talk/webrtc/<talk session>/<id>   trickle ICE (application/trickle-ice-sdpfrag)
 *   DELETE /talk/webrtc/<talk session>/<id>   hangs up
 * The offer is checked before the token is used (a malformed request costs no use); then the talk
 * token (transport WEBRTC) is used up, the device leg opened, and the WebRTC side
 * (egress/webrtc openWebRtcTalk) joins the browser's microphone and speaker to the leg. Refusals
 * are JSON: 401/403 token, 409 channel busy, 503 device unavailable, 400 bad offer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TALK_PATHS, type Logger } from '@argus/platform';
import type { PageRoute } from '../../media-server.js';
import { checkOffer, BadOffer } from '../../egress/webrtc/peer.js';
import { openWebRtcTalk } from '../../egress/webrtc/talk-session.js';
import { WebRtcSessions } from '../../egress/webrtc/sessions.js';
import { webrtcConfigFromEnv, type WebRtcConfig } from '../../egress/webrtc/webrtc-config.js';
import { HttpProblem, isExpected, readBody, sendAnswer, sendError, sessionResource } from '../../egress/webrtc/webrtc-http.js';
import { TalkRefused } from '../talk-refused.js';
import { TALK_END, type TalkNode } from '../talk-node.js';

export function webrtcTalkRoute(talk: TalkNode, log: Logger, config: WebRtcConfig = webrtcConfigFromEnv()): PageRoute {
  const sessions = new WebRtcSessions(config.maxSessions);
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const m = /^\/talk\/webrtc(?:\/([A-Za-z0-9_.~-]{1,128})\/([A-Za-z0-9_-]{1,64}))?$/.exec(url.pathname);
    if (!m) return false;
    try {
      // a WebRTC talk session's path is talk/<talk session id> (egress/webrtc/talk-session.ts)
      if (m[1] && m[2]) return (await sessionResource(req, res, sessions, 'talk', `talk/${m[1]}`, m[2]), true);
      if (req.method !== 'POST') throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `talk over WebRTC takes POST ${TALK_PATHS.WEBRTC}?token=… with an SDP offer`);
      const offer = await readBody(req, 'application/sdp');
      checkOffer(offer);
      const claims = talk.check(url.searchParams.get('token'), 'WEBRTC');
      sessions.reserve();
      const leg = await talk.begin(claims, `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`);
      let handle;
      try {
        handle = await openWebRtcTalk(offer, leg, { config, logger: log });
      } catch (err) {
        leg.close(err instanceof BadOffer ? 'bad offer' : TALK_END.HUNG_UP);
        throw err;
      }
      sessions.add(handle.session);
      sendAnswer(res, handle.answer, `${TALK_PATHS.WEBRTC}/${encodeURIComponent(claims.sessionId)}/${handle.session.id}`, config.iceServers);
    } catch (err) {
      if (err instanceof TalkRefused) {
        const body = JSON.stringify({ error: { code: err.code, message: err.message } });
        res.writeHead(err.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'access-control-allow-origin': '*' });
        res.end(body);
        return true;
      }
      if (!isExpected(err)) log.warn({ err }, 'WebRTC talk request failed');
      sendError(res, err);
    }
    return true;
  };
}
