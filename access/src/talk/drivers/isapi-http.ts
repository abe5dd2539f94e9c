/**
 * HTTP requests to an ISAPI device with Digest (or Basic) authentication, on keep-alive
 * connections: the first request is challenged, later ones are signed with the same nonce and a
 * rising nonce count until the device answers 401 again (stale nonce). The digest arithmetic is
 * RFC 2617's, shared with RTSP (@argus/protocols rtsp/auth).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { buildRtspAuthorization, parseRtspAuthChallenges, type RtspAuthChallenge } from '@argus/protocols';

export interface IsapiResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export class IsapiHttp {
  private challenge: RtspAuthChallenge | null = null;
  private nonceCount = 0;
  private readonly agent: HttpAgent;
  private readonly base: URL;

  constructor(base: string, private readonly username: string | null, private readonly password: string | null, private readonly timeoutMs: number) {
    this.base = new URL(base);
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: false }) : new HttpAgent({ keepAlive: true, maxSockets: 4 });
  }

  /** A request with the whole answer read; one retry on a 401 with a (new) challenge. */
  async request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<IsapiResponse> {
    let res = await this.once(method, path, body, headers);
    if (res.status === 401 && this.username !== null && this.takeChallenge(res.headers)) res = await this.once(method, path, body, headers);
    return res;
  }

  /**
   * A GET whose answer streams (audioData): resolves with the response once its headers are in
   * (after answering a challenge); the caller reads and destroys it.
   */
  async stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    let res = await this.open('GET', path, undefined, {}, signal);
    if (res.statusCode === 401 && this.username !== null && this.takeChallenge(res.headers)) {
      res.resume();
      res = await this.open('GET', path, undefined, {}, signal);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }

  private takeChallenge(headers: IncomingMessage['headers']): boolean {
    const raw = headers['www-authenticate'];
    const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
    try {
      const challenges = parseRtspAuthChallenges(values);
      const pick = challenges.find((c) => c.scheme.toLowerCase() === 'digest') ?? challenges.find((c) => c.scheme.toLowerCase() === 'basic');
      if (!pick) return false;
      this.challenge = pick;
      this.nonceCount = 0;
      return true;
    } catch {
      return false;
    }
  }

  private authorization(method: string, path: string): string | null {
    if (!this.challenge || this.username === null) return null;
    return buildRtspAuthorization({
      challenge: this.challenge, username: this.username, password: this.password ?? '', method, uri: path,
      nonceCount: ++this.nonceCount, cnonce: randomBytes(8).toString('hex'),
    });
  }

  private async once(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<IsapiResponse> {
    const res = await this.open(method, path, body, headers, AbortSignal.timeout(this.timeoutMs));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res) {
      size += (c as Buffer).length;
      if (size > 1 << 20) {
        res.destroy();
        throw new Error(`${method} ${path}: answer over 1 MiB`);
      }
      chunks.push(c as Buffer);
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  private open(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const auth = this.authorization(method, path);
    const make = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = make({
        host: this.base.hostname,
        port: this.base.port || (this.base.protocol === 'https:' ? 443 : 80),
        method,
        path,
        agent: this.agent,
        signal,
        headers: {
          ...headers,
          ...(auth ? { authorization: auth } : {}),
          'content-length': String(body?.length ?? 0),
        },
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    });
  }
}

/** The text of the first <name> element of an ISAPI XML answer (namespaces ignored), or null. */
export function xmlText(xml: string, name: string): string | null {
  const m = new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_]+:)?${name}>`).exec(xml);
  return m ? m[1]!.trim() : null;
}
