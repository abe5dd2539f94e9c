/**
 * A minimal RTSP client connection for pulling cameras: one request at a time with CSeq,
 * Session and Basic/Digest answers to a 401 challenge; `$` frames are emitted as 'interleaved'.
 * Events: 'interleaved' (channel, payload), 'close' (error?).
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import {
  RtspStreamParser, buildRtspAuthorization, parseRtspAuthChallenges, parseRtspSession, rtspHeader, rtspHeaderValues,
  serializeRtspRequest, serializeRtspResponse, type RtspAuthChallenge, type RtspHeaderList, type RtspResponse,
} from '@argus/protocols';

export class RtspClientError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'RtspClientError';
  }
}

export interface RtspCredentials {
  username: string;
  password: string;
}

export class RtspClient extends EventEmitter {
  session: string | null = null;
  /** Seconds, from the server's Session header (default 60). */
  sessionTimeout = 60;
  closed = false;
  private readonly parser = new RtspStreamParser({ maxBodyBytes: 256 << 10 });
  private cseq = 0;
  private readonly waiting = new Map<number, { resolve(r: RtspResponse): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private challenge: RtspAuthChallenge | null = null;
  private nonceCount = 0;

  private constructor(readonly socket: Socket, private readonly credentials: RtspCredentials | null, private readonly timeoutMs: number) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) => this.close(err));
    socket.on('close', () => this.close());
  }

  static connect(host: string, port: number, credentials: RtspCredentials | null, timeoutMs: number): Promise<RtspClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => (socket.destroy(), reject(new RtspClientError(`connecting to ${host}:${port} timed out`))), timeoutMs);
      socket.once('error', (err) => (clearTimeout(timer), reject(err)));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RtspClient(socket, credentials, timeoutMs));
      });
    });
  }

  /** Sends a request; on a 401 with a challenge it answers once with the credentials. */
  async request(method: string, uri: string, headers: RtspHeaderList = []): Promise<RtspResponse> {
    let res = await this.send(method, uri, headers);
    if (res.status === 401 && this.credentials) {
      const challenges = parseRtspAuthChallenges(rtspHeaderValues(res.headers, 'WWW-Authenticate'));
      const pick = challenges.find((c) => c.scheme.toLowerCase() === 'digest') ?? challenges.find((c) => c.scheme.toLowerCase() === 'basic');
      if (pick) {
        this.challenge = pick;
        this.nonceCount = 0;
        res = await this.send(method, uri, headers);
      }
    }
    const session = rtspHeader(res.headers, 'Session');
    if (session && res.status < 300) {
      const s = parseRtspSession(session);
      this.session = s.id;
      if (s.timeout) this.sessionTimeout = s.timeout;
    }
    return res;
  }

  /** Like request, but throws unless the answer is 2xx. */
  async expectOk(method: string, uri: string, headers: RtspHeaderList = []): Promise<RtspResponse> {
    const res = await this.request(method, uri, headers);
    if (res.status < 200 || res.status >= 300) {
      // the query may hold a token: keep it out of messages and logs
      throw new RtspClientError(`${method} ${uri.split('?')[0]} answered ${res.status} ${res.reason}`, res.status);
    }
    return res;
  }

  close(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.values()) (clearTimeout(w.timer), w.reject(err ?? new RtspClientError('connection closed')));
    this.waiting.clear();
    this.socket.destroy();
    this.emit('close', err);
  }

  private send(method: string, uri: string, extra: RtspHeaderList): Promise<RtspResponse> {
    if (this.closed) return Promise.reject(new RtspClientError('connection closed'));
    const cseq = ++this.cseq;
    const headers: RtspHeaderList = [['CSeq', String(cseq)], ['User-Agent', 'Argus'], ...extra];
    if (this.session) headers.push(['Session', this.session]);
    if (this.challenge && this.credentials) {
      headers.push(['Authorization', buildRtspAuthorization({
        challenge: this.challenge, ...this.credentials, method, uri, nonceCount: ++this.nonceCount, cnonce: randomBytes(8).toString('hex'),
      })]);
    }
    this.socket.write(serializeRtspRequest({ method, uri, headers }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(cseq);
        reject(new RtspClientError(`${method} timed out`));
        this.close();
      }, this.timeoutMs);
      this.waiting.set(cseq, { resolve, reject, timer });
    });
  }

  private onData(chunk: Buffer) {
    let items;
    try {
      items = this.parser.push(chunk);
    } catch (err) {
      return this.close(err as Error);
    }
    for (const item of items) {
      if (item.type === 'interleaved') this.emit('interleaved', item.channel, item.payload);
      else if (item.type === 'response') {
        const cseq = Number(rtspHeader(item.response.headers, 'CSeq'));
        const w = this.waiting.get(cseq);
        if (!w) continue;
        this.waiting.delete(cseq);
        clearTimeout(w.timer);
        w.resolve(item.response);
      } else {
        // a request from the server (some cameras send GET_PARAMETER / OPTIONS): not supported
        const cseq = rtspHeader(item.request.headers, 'CSeq') ?? '0';
        this.socket.write(serializeRtspResponse({ status: 501, headers: [['CSeq', cseq]] }));
      }
    }
  }
}
