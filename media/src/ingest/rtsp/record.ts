/**
 * Publishing over RTSP (the server side of ffmpeg `-f rtsp`, OBS, encoders): ANNOUNCE with an SDP
 * and ?key=… (checked with ctx.mayPublish) takes the hub path live/<ch>/<stream>; SETUP with
 * mode=record over TCP interleaved or UDP; RECORD starts the flow of RTP into the hub.
 */
import { buildRtspSession, matchRtspControl, parseSdp, rtspHeader, type RtspRequest } from '@argus/protocols';
import type { Stream } from '../../hub/index.js';
import type { RtspConnection, Reply } from '../../egress/rtsp/connection.js';
import { newSessionId, RtspReply, udpKey, type RtspServerState, type RtspSession } from '../../egress/rtsp/server-state.js';
import { requestTarget } from '../../egress/rtsp/request-target.js';
import { chooseTransport, transportReply, type ChosenTransport } from '../../egress/rtsp/transport-choice.js';
import { ingestTracksFromSdp, type IngestTrack } from './ingest-tracks.js';
import { RtpIngest } from './rtp-ingest.js';

export class RecordSession implements RtspSession {
  readonly kind = 'record';
  closed = false;
  lastActivity = Date.now();
  recording = false;
  transport: 'TCP' | 'UDP' | null = null;
  /** Per track: its transport once set up. */
  readonly setups: Array<ChosenTransport | null>;
  private readonly ingest: RtpIngest;
  private readonly channels = new Map<number, number>();
  private udpKeys: string[] = [];

  constructor(
    readonly id: string,
    public conn: RtspConnection,
    readonly stream: Stream,
    readonly tracks: IngestTrack[],
    private readonly server: RtspServerState,
  ) {
    this.ingest = new RtpIngest(stream, tracks);
    this.setups = tracks.map(() => null);
  }

  get path(): string {
    return this.stream.path;
  }

  get usesUdp(): boolean {
    return this.transport === 'UDP';
  }

  usedChannels(): Set<number> {
    return new Set(this.channels.keys());
  }

  setupTrack(index: number, t: ChosenTransport): void {
    this.setups[index] = t;
    this.transport = t.lower;
    if (t.lower === 'TCP') {
      this.channels.set(t.channels[0], index);
      this.channels.set(t.channels[1], -1); // RTCP: ignored
    } else {
      const key = udpKey(this.conn.address, t.clientPorts[0]);
      this.server.udpRoutes.set(key, (data, rtcp) => !rtcp && this.receive(index, data));
      this.server.udpRoutes.set(udpKey(this.conn.address, t.clientPorts[1]), () => (this.lastActivity = Date.now()));
      this.udpKeys.push(key, udpKey(this.conn.address, t.clientPorts[1]));
    }
  }

  onInterleaved(channel: number, payload: Buffer): void {
    const index = this.channels.get(channel);
    if (index === undefined) return;
    this.lastActivity = Date.now();
    if (index >= 0) this.receive(index, payload);
  }

  private receive(index: number, data: Buffer) {
    if (!this.recording || this.closed) return;
    this.lastActivity = Date.now();
    this.ingest.receive(index, data);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const k of this.udpKeys) this.server.udpRoutes.delete(k);
    this.server.sessions.delete(this.id);
    if (this.conn.session === this) this.conn.session = null;
    this.stream.close(reason === 'teardown' ? 'publisher left' : reason);
    this.server.log.debug({ session: this.id, path: this.path, reason }, 'rtsp: record session closed');
  }
}

export async function announce(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const { live, key } = requestTarget(req.uri);
  if (!live || (live.rest !== '' && live.rest !== '/')) throw new RtspReply(404, 'publish to rtsp://host/live/<channel>/<primary|sub>?key=…');
  if (!conn.server.ctx.mayPublish(live.path, key)) throw new RtspReply(401, `publish key for ${live.path} is missing or wrong`);
  if (conn.session) throw new RtspReply(455, 'this connection already has a session');
  const type = rtspHeader(req.headers, 'Content-Type') ?? 'application/sdp';
  if (!type.toLowerCase().startsWith('application/sdp')) throw new RtspReply(415, 'ANNOUNCE needs an application/sdp body');
  const tracks = ingestTracksFromSdp(parseSdp(req.body));
  if (tracks.length === 0) throw new RtspReply(415, 'no H.264, H.265, AAC, G.711 or Opus track in the SDP');
  const stream = conn.server.ctx.hub.publish(live.path, { protocol: 'RTSP', remote: conn.remote });
  const session = new RecordSession(newSessionId(), conn, stream, tracks, conn.server);
  conn.server.sessions.set(session.id, session);
  conn.session = session;
  conn.server.log.info({ path: live.path, remote: conn.remote, tracks: tracks.map((t) => t.track.codec) }, 'rtsp: publisher announced');
  return { status: 200, headers: [['Session', buildRtspSession({ id: session.id, timeout: conn.server.options.sessionTimeoutSeconds })]] };
}

export async function setup(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const session = conn.sessionFor(req);
  if (!(session instanceof RecordSession)) throw new RtspReply(455, 'SETUP for recording needs an ANNOUNCE first');
  if (session.recording) throw new RtspReply(455, 'already recording');
  let index = matchRtspControl(req.uri, session.tracks.map((t) => t.control));
  if (index < 0 && session.tracks.length === 1) index = 0;
  if (index < 0) throw new RtspReply(404, 'SETUP URL names no announced track');
  if (session.setups[index]) throw new RtspReply(455, 'track is already set up');
  const chosen = chooseTransport(req, 'record', session.transport, session.usedChannels());
  session.setupTrack(index, chosen);
  return {
    status: 200,
    headers: [
      ['Transport', transportReply(chosen, 'record', undefined, conn.server.udp.ports)],
      ['Session', buildRtspSession({ id: session.id, timeout: conn.server.options.sessionTimeoutSeconds })],
    ],
  };
}

export async function record(conn: RtspConnection, req: RtspRequest): Promise<Reply> {
  const session = conn.sessionFor(req);
  if (!(session instanceof RecordSession)) throw new RtspReply(session ? 455 : 454, 'RECORD without an announced session');
  if (!session.setups.some(Boolean)) throw new RtspReply(455, 'no track is set up');
  session.recording = true;
  return { status: 200, headers: [['Session', buildRtspSession({ id: session.id, timeout: conn.server.options.sessionTimeoutSeconds })]] };
}
