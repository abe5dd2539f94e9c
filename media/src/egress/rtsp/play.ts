/**
 * Playing over RTSP: OPTIONS (pre-authorizes a ?token=), DESCRIBE (authorize, SDP from the
 * stream's tracks), SETUP (TCP interleaved or UDP), PLAY (RTP-Info, then frames from a
 * StreamReader as RTP). The play grant is bound to the session, since clients drop the query
 * from the SETUP and PLAY URLs.
 */
import { buildRtspRtpInfo, buildRtspSession, matchRtspControl, type RtspRequest } from '@argus/protocols';
import type { PlayTokenClaims } from '@argus/platform';
import { PlayRefused } from '../../access/play-authorizer.js';
import type { LivePath } from '../../access/stream-path.js';
import type { Stream } from '../../hub/index.js';
import type { RtspConnection, Reply } from './connection.js';
import { newSessionId, RtspReply, type RtspServerState } from './server-state.js';
import { requestTarget } from './request-target.js';
import { plainAddress } from './udp-pair.js';
import { sdpFromTracks, TRACK_CONTROLS } from './sdp-from-tracks.js';
import { chooseTransport, transportReply } from './transport-choice.js';
import { PlaySession } from './play-session.js';

function livePathOf(req: RtspRequest) {
  const target = requestTarget(req.uri);
  if (!target.live) throw new RtspReply(404, `no stream at ${req.uri.slice(0, 200)}`);
  return { ...target, live: target.live };
}

/** OPTIONS with a play URL authorizes its token early (failures are reported on DESCRIBE). */
export async function options(conn: RtspConnection, req: RtspRequest): Promise<void> {
  const target = requestTarget(req.uri);
  if (!target.live || !target.token) return;
  await conn.authorizePlay(target.live, target.token).catch(() => undefined);
}

async function readyStream(state: RtspServerState, live: LivePath): Promise<Stream> {
  const s = state.ctx.hub.get(live.path);
  return s?.ready && !s.closed ? s : state.ctx.openStream(live);
}

export async function describe(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const { live, token, base } = livePathOf(req);
  if (live.rest !== '' && live.rest !== '/') throw new RtspReply(404, 'not a stream URL');
  await conn.authorizePlay(live, token);
  const stream = await readyStream(conn.server, live);
  const sdp = sdpFromTracks(stream.tracks, live.path, plainAddress(conn.socket.localAddress) || '0.0.0.0');
  return { status: 200, headers: [['Content-Base', base!], ['Content-Type', 'application/sdp']], body: sdp };
}

export async function setup(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const { live, token } = livePathOf(req);
  const existing = conn.sessionFor(req);
  if (existing && !(existing instanceof PlaySession)) throw new RtspReply(455, 'session is not a play session');
  if (existing && existing.path !== live.path) throw new RtspReply(459, 'one session plays one stream');
  if (existing?.playing) throw new RtspReply(455, 'session is already playing');
  const claims: PlayTokenClaims = existing?.claims ?? (await conn.authorizePlay(live, token));
  const stream = await readyStream(conn.server, live);
  const kind = trackKind(req.uri, stream);
  const track = stream.tracks[kind];
  if (!track) throw new RtspReply(404, `the stream has no ${kind} track`);
  if (existing?.tracks[kind]) throw new RtspReply(455, `${kind} is already set up`);
  const chosen = chooseTransport(req, 'play', existing?.transport ?? null, existing?.usedChannels() ?? new Set());
  const session = existing ?? new PlaySession(newSessionId(), conn, live, claims, conn.server);
  if (!existing) {
    if (conn.session) throw new RtspReply(455, 'this connection already has a session');
    conn.server.sessions.set(session.id, session);
    conn.session = session;
  }
  const sender = session.addTrack(stream, kind, track, chosen, req.uri);
  const timeoutSeconds = conn.server.options.sessionTimeoutSeconds;
  return {
    status: 200,
    headers: [
      ['Transport', transportReply(chosen, 'play', sender.writer.ssrc, conn.server.udp.ports)],
      ['Session', buildRtspSession({ id: session.id, timeout: timeoutSeconds })],
    ],
  };
}

function trackKind(uri: string, stream: Stream): 'video' | 'audio' {
  const i = matchRtspControl(uri, [TRACK_CONTROLS.video, TRACK_CONTROLS.audio]);
  if (i === 0) return 'video';
  if (i === 1) return 'audio';
  const kinds = (['video', 'audio'] as const).filter((k) => stream.tracks[k]);
  if (kinds.length === 1) return kinds[0]!;
  throw new RtspReply(459, 'SETUP needs a track URL (…/trackID=0 or …/trackID=1)');
}

export async function play(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const session = conn.sessionFor(req);
  if (!(session instanceof PlaySession)) throw new RtspReply(session ? 455 : 454, 'PLAY without a play session');
  if (!session.tracks.video && !session.tracks.audio) throw new RtspReply(455, 'no track is set up');
  const headers: Reply['headers'] = [['Session', buildRtspSession({ id: session.id, timeout: conn.server.options.sessionTimeoutSeconds })], ['Range', 'npt=0.000-']];
  if (session.playing) return { status: 200, headers };
  const stream = conn.server.ctx.hub.get(session.path);
  if (!stream || stream.closed) throw new PlayRefused(404, 'STREAM_NOT_FOUND', `stream ${session.path} has ended`);
  const infos = session.prepare(stream);
  if (infos.length === 0) throw new PlayRefused(404, 'STREAM_NOT_FOUND', `stream ${session.path} is not the one set up`);
  headers.push(['RTP-Info', buildRtspRtpInfo(infos)]);
  return { status: 200, headers, after: () => session.start() };
}
