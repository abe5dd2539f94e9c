/**
 * WHIP on the shared HTTP server:
 *   POST   /live/<channelId>/<stream>/whip?key=…   SDP offer → 201, SDP answer, Location
 *          (the publish key may come as `Authorization: Bearer <key>` instead, as WHIP clients send it)
 *   PATCH  /live/<channelId>/<stream>/whip/<id>    trickle ICE
 *   DELETE /live/<channelId>/<stream>/whip/<id>    ends the publish
 * The key is the same per-path publish key RTMP and RTSP publishers use.
 */
import { PlayRefused } from '../../access/play-authorizer.js';
import { StreamBusyError } from '../../hub/index.js';
import type { HttpRoute, MediaContext } from '../../media-server.js';
import { checkOffer } from '../../egress/webrtc/peer.js';
import type { WebRtcSessions } from '../../egress/webrtc/sessions.js';
import type { WebRtcConfig } from '../../egress/webrtc/webrtc-config.js';
import { HttpProblem, isExpected, readBody, sendAnswer, sendError, sessionResource } from '../../egress/webrtc/webrtc-http.js';
import { WhipSession } from './whip-session.js';

export interface WhipRouteOptions {
  /** How often the publisher is asked for a keyframe (ms). */
  keyframeIntervalMs: number;
}

export function whipRoute(ctx: MediaContext, config: WebRtcConfig, sessions: WebRtcSessions, o: WhipRouteOptions): HttpRoute {
  return async (req, res, url, live) => {
    const m = /^\/whip(?:\/([A-Za-z0-9_-]{1,64}))?$/.exec(live.rest);
    if (!m) return false;
    try {
      if (m[1]) return (await sessionResource(req, res, sessions, 'whip', live.path, m[1]), true);
      if (req.method !== 'POST') throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'WHIP takes POST with an SDP offer');
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const key = url.searchParams.get('key') ?? bearer;
      if (!ctx.mayPublish(live.path, key)) throw new PlayRefused(401, 'PUBLISH_KEY', `publish key for ${live.path} is missing or wrong`);
      const offer = checkOffer(await readBody(req, 'application/sdp'));
      sessions.reserve();
      let stream;
      try {
        stream = ctx.hub.publish(live.path, { protocol: 'WEBRTC', ...(req.socket.remoteAddress ? { remote: req.socket.remoteAddress } : {}) });
      } catch (err) {
        if (err instanceof StreamBusyError) throw new HttpProblem(409, 'STREAM_BUSY', err.message);
        throw err;
      }
      let opened;
      try {
        opened = await WhipSession.open(stream, offer, { config, logger: ctx.logger, keyframeIntervalMs: o.keyframeIntervalMs });
      } catch (err) {
        stream.close('offer failed');
        throw err;
      }
      const { session, answer } = opened;
      sessions.add(session);
      ctx.logger.info({ path: live.path, session: session.id, remote: req.socket.remoteAddress }, 'WHIP publisher connected');
      session.onClose((reason) => ctx.logger.info({ path: live.path, session: session.id, reason }, 'WHIP publisher left'));
      sendAnswer(res, answer, `/${live.path}/whip/${session.id}`, config.iceServers);
    } catch (err) {
      if (!isExpected(err)) ctx.logger.warn({ err, path: live.path }, 'WHIP request failed');
      sendError(res, err);
    }
    return true;
  };
}
