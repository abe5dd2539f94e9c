/**
 * WHEP on the shared HTTP server:
 *   POST   /live/<channelId>/<stream>/whep?token=…   SDP offer → 201, SDP answer, Location
 *   PATCH  /live/<channelId>/<stream>/whep/<id>      trickle ICE (application/trickle-ice-sdpfrag)
 *   DELETE /live/<channelId>/<stream>/whep/<id>      ends the session
 * The play token is checked (and one use consumed) on POST, for protocol WEBRTC.
 */
import type { HttpRoute, MediaContext } from '../../media-server.js';
import { checkOffer } from './peer.js';
import type { WebRtcSessions } from './sessions.js';
import type { WebRtcConfig } from './webrtc-config.js';
import { WhepSession } from './whep-session.js';
import { HttpProblem, isExpected, readBody, sendAnswer, sendError, sessionResource } from './webrtc-http.js';

export interface WhepRouteOptions {
  filterStunResponse?: (protocol: 'udp' | 'tcp') => boolean;
}

export function whepRoute(ctx: MediaContext, config: WebRtcConfig, sessions: WebRtcSessions, o: WhepRouteOptions = {}): HttpRoute {
  return async (req, res, url, live) => {
    const m = /^\/whep(?:\/([A-Za-z0-9_-]{1,64}))?$/.exec(live.rest);
    if (!m) return false;
    try {
      if (m[1]) return (await sessionResource(req, res, sessions, 'whep', live.path, m[1]), true);
      if (req.method !== 'POST') throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'WHEP takes POST with an SDP offer');
      const text = await readBody(req, 'application/sdp');
      // the offer is checked before the token is used, so a malformed request costs no use
      const offer = checkOffer(text);
      await ctx.authorizer.authorize(url.searchParams.get('token'), { channelId: live.channelId, stream: live.stream, protocol: 'WEBRTC' });
      sessions.reserve();
      const stream = await ctx.openStream(live);
      const { session, answer } = await WhepSession.open(stream, offer, {
        config, logger: ctx.logger, ...(req.socket.remoteAddress ? { remote: req.socket.remoteAddress } : {}),
        ...(o.filterStunResponse ? { filterStunResponse: o.filterStunResponse } : {}),
      });
      sessions.add(session);
      session.onClose((reason) => ctx.logger.debug({ path: live.path, session: session.id, reason }, 'WHEP session ended'));
      sendAnswer(res, answer, `/${live.path}/whep/${session.id}`, config.iceServers);
    } catch (err) {
      if (!isExpected(err)) ctx.logger.warn({ err, path: live.path }, 'WHEP request failed');
      sendError(res, err);
    }
    return true;
  };
}
