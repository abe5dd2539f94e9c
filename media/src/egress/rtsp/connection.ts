/**
 * One RTSP control connection: parses requests and `$` frames, answers requests one at a time,
 * and hands them to the play (egress) or record (ingest) handlers. Malformed input gets a 400 and
 * closes this connection only. Play grants are authorized once per connection and path (on
 * OPTIONS or DESCRIBE, where the URL still has its ?token=) and then bound to the session.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  RtspError, RtspStreamParser, SdpError, parseRtspAuthorization, parseRtspSession, rtspHeader, serializeRtspResponse,
  verifyRtspDigest, type RtspHeaderList, type RtspRequest,
} from '@argus/protocols';
import type { PlayTokenClaims } from '@argus/platform';
import { PlayRefused } from '../../access/play-authorizer.js';
import type { LivePath } from '../../access/stream-path.js';
import { StreamBusyError } from '../../hub/index.js';
import { RtspReply, type RtspServerState, type RtspSession } from './server-state.js';
import { plainAddress } from './udp-pair.js';
import * as play from './play.js';
import * as record from '../../ingest/rtsp/record.js';

export interface Reply {
  status: number;
  headers?: RtspHeaderList;
  body?: string | Buffer;
  /** Runs once the answer is written (e.g. start sending media after a PLAY answer). */
  after?: () => void;
}

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER, SET_PARAMETER, ANNOUNCE, RECORD';
const MAX_PENDING = 8;

export class RtspConnection {
  readonly address: string;
  readonly remote: string;
  /** Play grants authorized on this connection, by hub path. */
  private readonly grants = new Map<string, PlayTokenClaims>();
  /** The session set up on this connection (sessions end with their connection). */
  session: RtspSession | null = null;
  closed = false;
  lastActivity = Date.now();
  private readonly parser = new RtspStreamParser();
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly nonce = randomBytes(16).toString('hex');

  constructor(readonly socket: Socket, readonly server: RtspServerState) {
    this.address = plainAddress(socket.remoteAddress);
    this.remote = `${this.address}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.close('connection closed');
    this.session = null;
    this.socket.destroy();
  }

  private onData(chunk: Buffer) {
    if (this.closed) return;
    this.lastActivity = Date.now();
    let items;
    try {
      items = this.parser.push(chunk);
    } catch (err) {
      this.server.log.debug({ remote: this.remote, err: (err as Error).message }, 'rtsp: malformed input');
      this.socket.end(serializeRtspResponse({ status: 400, headers: [['Connection', 'close']] }));
      this.closed = true;
      this.session?.close('malformed input');
      this.session = null;
      setTimeout(() => this.socket.destroy(), 1000).unref();
      return;
    }
    for (const item of items) {
      if (item.type === 'interleaved') {
        this.session?.onInterleaved(item.channel, item.payload);
      } else if (item.type === 'request') {
        if (++this.pending > MAX_PENDING) return this.close();
        const req = item.request;
        this.queue = this.queue
          .then(() => this.handle(req))
          .catch((err) => {
            this.server.log.error({ err, remote: this.remote }, 'rtsp: connection failed');
            this.close();
          })
          .finally(() => this.pending--);
      }
    }
  }

  private async handle(req: RtspRequest): Promise<void> {
    if (this.closed) return;
    const cseq = rtspHeader(req.headers, 'CSeq') ?? '0';
    let reply: Reply;
    try {
      if (req.version !== 'RTSP/1.0') throw new RtspReply(505, `version ${req.version}`);
      this.checkDigest(req);
      reply = await this.dispatch(req);
    } catch (err) {
      reply = this.errorReply(err, req);
    }
    if (this.closed) return;
    const headers: RtspHeaderList = [['CSeq', cseq], ['Server', 'Argus'], ...(reply.headers ?? [])];
    this.socket.write(serializeRtspResponse({ status: reply.status, headers, body: reply.body ?? '' }));
    reply.after?.();
  }

  private dispatch(req: RtspRequest): Promise<Reply> | Reply {
    const route = this.server.ctx.rtspRoutes.find((r) => r.owns(req, this));
    if (route) return route.handle(this, req);
    switch (req.method) {
      case 'OPTIONS':
        return play.options(this, req).then(() => ({ status: 200, headers: [['Public', PUBLIC]] }));
      case 'DESCRIBE':
        return play.describe(this, req);
      case 'ANNOUNCE':
        return record.announce(this, req);
      case 'SETUP':
        return this.session?.kind === 'record' ? record.setup(this, req) : play.setup(this, req);
      case 'PLAY':
        return play.play(this, req);
      case 'RECORD':
        return record.record(this, req);
      case 'TEARDOWN': {
        const s = this.sessionFor(req);
        s?.close('teardown');
        return { status: 200 };
      }
      case 'GET_PARAMETER':
      case 'SET_PARAMETER': {
        const s = this.sessionFor(req);
        return { status: 200, headers: s ? [['Session', s.id]] : [] };
      }
      default:
        return { status: 501, headers: [['Public', PUBLIC]] };
    }
  }

  /**
   * The session a request names (Session header), or this connection's own. A UDP session may
   * move to a new control connection; 454 when the id is unknown.
   */
  sessionFor(req: RtspRequest): RtspSession | null {
    const header = rtspHeader(req.headers, 'Session');
    if (!header) return this.session;
    const id = parseRtspSession(header).id;
    const s = this.server.sessions.get(id);
    if (!s || s.closed) throw new RtspReply(454, `session ${id} not found`);
    if (s.conn !== this) {
      if (!s.usesUdp || this.session) throw new RtspReply(454, `session ${id} belongs to another connection`);
      s.conn.session = null;
      s.conn = this;
      this.session = s;
    }
    s.lastActivity = Date.now();
    return s;
  }

  /** Authorizes a play token for `live` once per connection; later requests reuse the grant. */
  async authorizePlay(live: LivePath, token: string | null): Promise<PlayTokenClaims> {
    const known = this.grants.get(live.path);
    if (known) return known;
    const claims = await this.server.ctx.authorizer.authorize(token, { channelId: live.channelId, stream: live.stream, protocol: 'RTSP' });
    this.grants.set(live.path, claims);
    return claims;
  }

  private checkDigest(req: RtspRequest) {
    const d = this.server.options.requireDigest;
    if (!d) return;
    const challenge: RtspHeaderList = [['WWW-Authenticate', `Digest realm="${d.realm}", nonce="${this.nonce}"`]];
    const value = rtspHeader(req.headers, 'Authorization');
    let ok = false;
    if (value) {
      try {
        const c = parseRtspAuthorization(value);
        ok = c.scheme === 'Digest' && c.params.username === d.username &&
          verifyRtspDigest(c.params, { realm: d.realm, nonce: this.nonce, method: req.method, password: d.password });
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new RtspReply(401, 'digest credentials required', challenge);
  }

  private errorReply(err: unknown, req: RtspRequest): Reply {
    const log = this.server.log;
    if (err instanceof RtspReply) {
      log.debug({ remote: this.remote, method: req.method, status: err.status, why: err.message }, 'rtsp: refused');
      return { status: err.status, headers: err.headers };
    }
    if (err instanceof PlayRefused) {
      log.debug({ remote: this.remote, method: req.method, status: err.status, code: err.code }, 'rtsp: play refused');
      return { status: err.status };
    }
    if (err instanceof RtspError || err instanceof SdpError) return { status: 400 };
    if (err instanceof StreamBusyError) return { status: 403 };
    log.error({ err, remote: this.remote, method: req.method }, 'rtsp: request failed');
    return { status: 500 };
  }
}
