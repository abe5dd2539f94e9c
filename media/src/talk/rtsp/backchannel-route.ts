/**
 * Talk over RTSP with an ONVIF backchannel, as cmiot-video-northbound-api.txt appendix 5.6 shows
 * it, on the media node's RTSP port:
 *
 *   OPTIONS  rtsp://…/cam/talk/devices?vcuid=<channel>&encodeType=PCM1&bits=16&sampleRate=8000&token=…
 *   DESCRIBE (same URL) with "Require: www.onvif.org/ver20/backchannel" — without it: 551 Option not
 *            supported. The token is checked, its single use consumed and the device leg opened; the
 *            SDP has the device's audio (a=control:trackID=1, a=recvonly) and the backchannel
 *            (a=control:trackID=5, a=sendonly), both in the URL's codec, Content-Base = URL + "/".
 *   SETUP    …/trackID=1 and …/trackID=5, RTP/AVP/TCP interleaved only (461 otherwise);
 *            "Session: <id>;timeout=60".
 *   PLAY     RTP-Info for both tracks; the device's audio starts flowing on trackID=1's channel,
 *            the talker's RTP on trackID=5's channel goes to the device.
 *   GET_PARAMETER / SET_PARAMETER / OPTIONS with the session keep it alive; TEARDOWN ends it.
 *
 * Like play grants, the token is only in the OPTIONS/DESCRIBE URL for clients that rebuild later
 * URLs from Content-Base without the query (GStreamer's rtspsrc): the talk is bound to the
 * connection at DESCRIBE and to the RTSP session at SETUP. A session with no request and no RTP or
 * RTCP from the talker for the session timeout ends, and so does its connection.
 */
import { buildRtspRtpInfo, buildRtspSession, buildSdp, matchRtspControl, parseRtspSession, rtspHeader, rtspHeaderValues, type RtspRequest } from '@argus/protocols';
import { TALK_PATHS, talkCodecOfEncodeType, type TalkTokenClaims } from '@argus/platform';
import type { RtspRoute } from '../../media-server.js';
import type { Reply, RtspConnection } from '../../egress/rtsp/connection.js';
import { RtspReply, newSessionId } from '../../egress/rtsp/server-state.js';
import { plainAddress } from '../../egress/rtsp/udp-pair.js';
import { chooseTransport, transportReply } from '../../egress/rtsp/transport-choice.js';
import { describeFormat, type AudioFormat } from '../audio/audio-converter.js';
import { TalkRefused } from '../talk-refused.js';
import type { TalkNode } from '../talk-node.js';
import { sdpAudioMedia } from '../rtp-audio.js';
import { BackchannelSession } from './backchannel-session.js';

export const ONVIF_BACKCHANNEL = 'www.onvif.org/ver20/backchannel';
/** a=control of the device's audio (talker receives) and of the backchannel (talker sends), as in appendix 5.6. */
export const TALK_TRACKS = { device: 'trackID=1', backchannel: 'trackID=5' } as const;

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER, SET_PARAMETER';

/** What the talk URL says. */
interface TalkTarget {
  channelId: string | null;
  encodeType: string | null;
  sampleRate: string | null;
  bits: string | null;
  token: string | null;
}

/** True for URLs under /cam/talk/ (SETUP URLs rebuilt from Content-Base may lose "devices?…"). */
export function isTalkUri(uri: string): boolean {
  try {
    return new URL(uri).pathname.startsWith('/cam/talk');
  } catch {
    return false;
  }
}

function talkTarget(uri: string): TalkTarget {
  const url = new URL(uri);
  // clients append track controls to the query ("…&token=x/trackID=5"): values stop at the first "/"
  const param = (name: string) => url.searchParams.get(name)?.split('/')[0] || null;
  return { channelId: param('vcuid'), encodeType: param('encodeType'), sampleRate: param('sampleRate'), bits: param('bits'), token: param('token') };
}

/** A DESCRIBEd talk on a connection, waiting for its SETUPs. */
interface Described {
  claims: TalkTokenClaims;
  session: BackchannelSession;
  sdp: string;
  base: string;
}

export class BackchannelRoute implements RtspRoute {
  private readonly described = new WeakMap<RtspConnection, Described>();

  constructor(private readonly talk: TalkNode, private readonly sessionTimeoutSeconds: number) {}

  owns(req: RtspRequest, conn: RtspConnection): boolean {
    return conn.session instanceof BackchannelSession || this.described.has(conn) || isTalkUri(req.uri);
  }

  async handle(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
    try {
      return await this.dispatch(conn, req);
    } catch (err) {
      if (err instanceof TalkRefused) {
        conn.server.log.debug({ remote: conn.remote, method: req.method, status: err.status, code: err.code }, 'rtsp talk: refused');
        return { status: err.status };
      }
      throw err;
    }
  }

  private dispatch(conn: RtspConnection, req: RtspRequest): Promise<Reply> | Reply {
    const session = this.sessionOf(conn, req);
    if (session) session.touch();
    switch (req.method) {
      case 'OPTIONS':
        return this.options(req, session);
      case 'DESCRIBE':
        return this.describe(conn, req);
      case 'SETUP':
        return this.setup(conn, req);
      case 'PLAY':
        return this.play(conn, req, session);
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        if (!session) throw new RtspReply(454, 'no talk session');
        return { status: 200, headers: [['Session', buildRtspSession({ id: session.id, timeout: this.sessionTimeoutSeconds })]] };
      case 'TEARDOWN':
        session?.close('talker hung up');
        this.described.delete(conn);
        return { status: 200 };
      default:
        return { status: 405, headers: [['Allow', PUBLIC]] };
    }
  }

  /** The talk session a request belongs to: the connection's, or none; 454 for another session id. */
  private sessionOf(conn: RtspConnection, req: RtspRequest): BackchannelSession | null {
    const own = conn.session instanceof BackchannelSession ? conn.session : this.described.get(conn)?.session ?? null;
    const header = rtspHeader(req.headers, 'Session');
    if (header && own && parseRtspSession(header).id !== own.id) throw new RtspReply(454, 'unknown session');
    if (header && !own) throw new RtspReply(454, 'unknown session');
    return own && !own.closed ? own : null;
  }

  private options(req: RtspRequest, session: BackchannelSession | null): Reply {
    if (!session && isTalkUri(req.uri)) {
      // an early check of the token (not used up); failures are reported on DESCRIBE
      try {
        this.talk.check(talkTarget(req.uri).token, 'RTSP');
      } catch {
        /* DESCRIBE answers */
      }
    }
    const headers: Reply['headers'] = [['Public', PUBLIC]];
    if (session) headers.push(['Session', buildRtspSession({ id: session.id, timeout: this.sessionTimeoutSeconds })]);
    return { status: 200, headers };
  }

  private async describe(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
    const known = this.described.get(conn);
    if (known && !known.session.closed) {
      return { status: 200, headers: this.describeHeaders(known.base), body: known.sdp };
    }
    const url = new URL(req.uri);
    if (url.pathname !== TALK_PATHS.RTSP) throw new RtspReply(404, 'talk URLs are /cam/talk/devices?…');
    const target = talkTarget(req.uri);
    const claims = this.talk.check(target.token, 'RTSP');
    const requires = rtspHeaderValues(req.headers, 'Require').flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase());
    if (!requires.includes(ONVIF_BACKCHANNEL)) throw new RtspReply(551, `DESCRIBE needs "Require: ${ONVIF_BACKCHANNEL}"`);
    checkUrlMatchesToken(target, claims);
    const leg = await this.talk.begin(claims, conn.remote);
    const format: AudioFormat = this.talk.talkerFormat(claims);
    const session = new BackchannelSession(newSessionId(), conn, claims, leg, format, this.sessionTimeoutSeconds);
    if (conn.closed) {
      session.close('talker hung up');
      throw new RtspReply(400, 'connection closed');
    }
    const base = `${req.uri.replace(/\/+$/, '')}/`;
    const address = plainAddress(conn.socket.localAddress) || '0.0.0.0';
    const sdp = buildSdp({
      version: 0,
      origin: { username: '-', sessionId: String(Date.now()), sessionVersion: '1', netType: 'IN', addrType: address.includes(':') ? 'IP6' : 'IP4', address },
      name: 'Argus talk',
      connection: address.includes(':') ? 'IN IP6 ::' : 'IN IP4 0.0.0.0',
      bandwidths: [],
      timing: ['0 0'],
      attributes: [{ name: 'tool', value: 'argus' }, { name: 'control', value: '*' }, { name: 'range', value: 'npt=now-' }],
      media: [sdpAudioMedia(format, TALK_TRACKS.device, 'recvonly'), sdpAudioMedia(format, TALK_TRACKS.backchannel, 'sendonly')],
    });
    const described: Described = { claims, session, sdp, base };
    this.described.set(conn, described);
    session.onClose(() => {
      if (this.described.get(conn) === described) this.described.delete(conn);
    });
    conn.server.log.info({ remote: conn.remote, session: claims.sessionId, format: describeFormat(format), leg: leg.description }, 'rtsp talk: described');
    return { status: 200, headers: this.describeHeaders(base), body: sdp };
  }

  private describeHeaders(base: string): Reply['headers'] {
    return [['Content-Base', base], ['Content-Type', 'application/sdp'], ['Cache-Control', 'must-revalidate']];
  }

  private setup(conn: RtspConnection, req: RtspRequest): Reply {
    const d = this.described.get(conn);
    if (!d || d.session.closed) throw new RtspReply(455, 'SETUP before DESCRIBE (the talk URL with its token)');
    const session = d.session;
    const track = matchRtspControl(req.uri, [TALK_TRACKS.device, TALK_TRACKS.backchannel]);
    if (track < 0) throw new RtspReply(404, `SETUP needs a track URL (…/${TALK_TRACKS.device} or …/${TALK_TRACKS.backchannel})`);
    const kind = track === 0 ? 'device' : 'backchannel';
    if (session.tracks[kind]) throw new RtspReply(455, `${kind} track is already set up`);
    if (session.playing) throw new RtspReply(455, 'the session is already playing');
    const chosen = chooseTransport(req, 'play', null, session.usedChannels());
    if (chosen.lower !== 'TCP') throw new RtspReply(461, 'talk sessions run over RTP/AVP/TCP interleaved only');
    session.addTrack(kind, chosen.channels, req.uri);
    if (!conn.session) {
      if (conn.server.sessions.has(session.id)) throw new RtspReply(455, 'session exists');
      conn.server.sessions.set(session.id, session);
      conn.session = session;
    } else if (conn.session !== session) throw new RtspReply(455, 'this connection already has another session');
    const ssrc = kind === 'device' ? session.deviceSsrc : undefined;
    return {
      status: 200,
      headers: [
        ['Transport', transportReply(chosen, 'play', ssrc, conn.server.udp.ports)],
        ['Session', buildRtspSession({ id: session.id, timeout: this.sessionTimeoutSeconds })],
      ],
    };
  }

  private play(conn: RtspConnection, req: RtspRequest, session: BackchannelSession | null): Reply {
    if (!session || conn.session !== session) throw new RtspReply(454, 'PLAY without a talk session');
    if (!session.tracks.device && !session.tracks.backchannel) throw new RtspReply(455, 'no track is set up');
    const headers: Reply['headers'] = [['Session', buildRtspSession({ id: session.id, timeout: this.sessionTimeoutSeconds })]];
    if (session.playing) return { status: 200, headers };
    headers.push(['RTP-Info', buildRtspRtpInfo(session.rtpInfo())]);
    return { status: 200, headers, after: () => session.start() };
  }
}

/** The URL's vcuid, encodeType and sampleRate must be the ones the token was issued for. */
function checkUrlMatchesToken(t: TalkTarget, c: TalkTokenClaims) {
  if (t.channelId !== null && t.channelId !== c.channelId) throw new TalkRefused(403, 'TOKEN_SCOPE', 'vcuid is not the channel of this talk URL');
  if (t.encodeType !== null && talkCodecOfEncodeType(t.encodeType) !== c.codec) throw new TalkRefused(403, 'TOKEN_SCOPE', 'encodeType is not the codec of this talk URL');
  if (t.sampleRate !== null && Number(t.sampleRate) !== c.sampleRate) throw new TalkRefused(403, 'TOKEN_SCOPE', 'sampleRate is not the rate of this talk URL');
  if (t.bits !== null && t.bits !== '16' && c.codec === 'L16') throw new TalkRefused(403, 'TOKEN_SCOPE', 'L16 talk is 16 bits');
}
