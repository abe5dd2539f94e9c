/**
 * A lean simulated HTTP push camera for bench/alarms: one keep-alive TCP connection per camera
 * (node:http Agent, maxSockets 1), digest the way the spec's devices do it — the first request is
 * challenged, the camera keeps realm/nonce and signs every later request with them (nc counting
 * up), and only takes a new nonce when the server answers 401 with stale=true.
 *
 * test/sim/http-push-camera.ts is the full-featured simulator; this one only does what the
 * benchmark needs (keepalive, alarm_report) with as little client CPU as possible.
 */
import { Agent, request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export const KEEPALIVE_PATH = '/v1/device/keepalive';
export const ALARM_PATH = '/v1/uns/reviceMonitorPointRecord/alarm_report';

export interface CameraReply {
  status: number;
  /** errorcode of the envelope (-1 when the body is not the spec's envelope). */
  errorcode: number;
  keepinterval?: number;
  ms: number;
}

interface Challenge {
  realm: string;
  nonce: string;
  qop: boolean;
  opaque?: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function parseChallenge(header: string | string[] | undefined): (Challenge & { stale: boolean }) | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h || !/^\s*digest\s/i.test(h)) return null;
  const p: Record<string, string> = {};
  for (const m of h.replace(/^\s*digest\s+/i, '').matchAll(/([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    p[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  }
  if (!p.realm || !p.nonce) return null;
  return { realm: p.realm, nonce: p.nonce, qop: p.qop !== undefined, opaque: p.opaque, stale: p.stale?.toLowerCase() === 'true' };
}

/** `YYYY-MM-DD hh:mm:ss` in local time, the spec's time format. */
export function deviceTime(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export interface CameraStats {
  /** 401 challenges answered (1 per camera when the nonce is reused as it should be). */
  challenges: number;
  /** Requests retried because a kept-alive socket was closed under them. */
  retries: number;
  /** TCP connections opened. */
  connections: number;
}

export class BenchCamera {
  private readonly agent: Agent;
  private challenge: Challenge | null = null;
  private nc = 0;
  private readonly ha1Cache = new Map<string, string>();
  private keepaliveTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string,
    readonly password: string,
    private readonly stats: CameraStats,
    readonly username = 'admin',
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'fifo' });
    const create = this.agent.createConnection.bind(this.agent);
    this.agent.createConnection = ((...args: Parameters<typeof create>) => {
      this.stats.connections++;
      const socket = create(...args);
      (socket as { setNoDelay?: (b: boolean) => void } | undefined)?.setNoDelay?.(true);
      return socket;
    }) as typeof create;
  }

  private authorization(method: string, uri: string): string | null {
    const c = this.challenge;
    if (!c) return null;
    const key = c.realm;
    let ha1 = this.ha1Cache.get(key);
    if (!ha1) this.ha1Cache.set(key, (ha1 = md5(`${this.username}:${c.realm}:${this.password}`)));
    const ha2 = md5(`${method}:${uri}`);
    this.nc++;
    const nc = this.nc.toString(16).padStart(8, '0');
    if (!c.qop) return `Digest username="${this.username}",realm="${c.realm}",nonce="${c.nonce}",uri="${uri}",response="${md5(`${ha1}:${c.nonce}:${ha2}`)}",algorithm="MD5"`;
    const cnonce = randomBytes(8).toString('hex');
    const response = md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="${this.username}",realm="${c.realm}",nonce="${c.nonce}",uri="${uri}",response="${response}",algorithm="MD5",qop=auth,nc=${nc},cnonce="${cnonce}"${c.opaque ? `,opaque="${c.opaque}"` : ''}`;
  }

  private once(method: string, path: string, body: Buffer, retried = false): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json;charset=utf-8',
      'content-length': String(body.length),
      'user-identify': this.code,
    };
    const auth = this.authorization(method, path);
    if (auth) headers.authorization = auth;
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // the documented keep-alive race: the server closed an idle socket as we reused it
        if (req.reusedSocket && !retried && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          this.stats.retries++;
          this.once(method, path, body, true).then(resolve, reject);
        } else reject(err);
      });
      req.end(body);
    });
  }

  /** Sends with the saved nonce; answers one fresh (or stale=true) challenge and resends. */
  async send(method: string, path: string, body: Buffer): Promise<CameraReply> {
    const started = performance.now();
    let signed = this.challenge !== null;
    let rounds = 0;
    let res = await this.once(method, path, body);
    while (res.status === 401) {
      const c = parseChallenge(res.headers['www-authenticate']);
      // unsigned → take the challenge; signed and stale=true → take the new nonce; else the password is wrong
      if (!c || (signed && !c.stale) || ++rounds > 2) break;
      this.challenge = c;
      this.nc = 0;
      this.stats.challenges++;
      signed = true;
      res = await this.once(method, path, body);
    }
    let errorcode = -1;
    let keepinterval: number | undefined;
    try {
      const j = JSON.parse(res.text) as { keepinterval?: number; error?: { errorcode?: number } };
      errorcode = j.error?.errorcode ?? -1;
      keepinterval = j.keepinterval;
    } catch {
      /* not the envelope */
    }
    return { status: res.status, errorcode, keepinterval, ms: performance.now() - started };
  }

  keepalive(): Promise<CameraReply> {
    const body = Buffer.from(JSON.stringify({ method: '', param: { deviceId: this.code, channelNum: 1, deviceName: 'bench cam', time: deviceTime() } }));
    return this.send('GET', KEEPALIVE_PATH, body);
  }

  /** Keeps alive every `intervalMs`, the first one after `firstInMs`. */
  startKeepalive(firstInMs: number, intervalMs: number, onReply: (r: CameraReply | Error) => void): void {
    const tick = () => {
      this.keepalive().then(onReply, onReply);
      this.keepaliveTimer = setTimeout(tick, intervalMs);
    };
    this.keepaliveTimer = setTimeout(tick, firstInMs);
  }

  stopKeepalive(): void {
    if (this.keepaliveTimer) clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  /** An alarm_report; `message` travels as alarm_msg (the alarm's description), `uuid` as alarm_uuid (Argus dedupes by it). */
  alarm(uuid: string, message: string, pictureBase64: string): Promise<CameraReply> {
    const time = deviceTime();
    const body = `{"method":"alarm_report","param":{"device_id":"${this.code}","device_name":"bench cam","channel_id":1,` +
      `"alarm_type":"ebike_detection","time":"${time}","status":"start","jpeg_base64":"${pictureBase64}",` +
      `"alarm_uuid":"${uuid}","alarm_msg":"${message}"}}`;
    return this.send('POST', ALARM_PATH, Buffer.from(body));
  }

  close(): void {
    this.stopKeepalive();
    this.agent.destroy();
  }
}

/** A JPEG-shaped picture of `bytes` bytes (SOI, APP0, random entropy data, EOI), as base64. */
export function benchJpegBase64(bytes: number): string {
  if (bytes <= 0) return '';
  const head = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
  const body = randomBytes(Math.max(0, bytes - head.length - 2));
  return Buffer.concat([head, body, Buffer.from([0xff, 0xd9])]).toString('base64');
}
