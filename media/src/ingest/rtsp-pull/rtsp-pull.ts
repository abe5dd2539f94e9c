/**
 * Pulls a camera's RTSP stream into the hub: OPTIONS, DESCRIBE (Basic/Digest auth), SETUP of the
 * video and audio tracks (TCP interleaved or UDP), PLAY; RTP is depacketized into the hub stream
 * at `path`. When the source drops (connection closed, or no media for `timeoutMs`), it
 * reconnects with exponential backoff (capped); timestamps continue across reconnects.
 * stop() tears down the session and closes the hub stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@argus/platform';
import {
  buildRtcpReceiverReport, parseRtspTransport, parseSdp, resolveSdpControl, rtspHeader, sdpAttribute, parseRtspPublic,
} from '@argus/protocols';
import type { Stream, StreamHub } from '../../hub/index.js';
import { bindUdpPair, type UdpPair } from '../../egress/rtsp/udp-pair.js';
import { ingestTracksFromSdp } from '../rtsp/ingest-tracks.js';
import { RtpIngest } from '../rtsp/rtp-ingest.js';
import { RtspClient, RtspClientError } from './rtsp-client.js';

export interface RtspPullOptions {
  /** rtsp://[user:pass@]host[:port]/path */
  url: string;
  /** Hub path, e.g. live/<channelId>/primary. */
  path: string;
  transport: 'tcp' | 'udp';
  hub: StreamHub;
  logger: Logger;
  username?: string | null;
  password?: string | null;
  /** First reconnect delay (default 500 ms); doubles up to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Request timeout, and how long without media counts as a dropped source (default 10 s). */
  timeoutMs?: number;
}

export interface RtspPull {
  readonly stream: Stream;
  /** Connection attempts so far. */
  readonly attempts: number;
  /** True while media is flowing from a PLAYing session. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

/** Starts pulling; throws StreamBusyError at once when `path` already has a publisher. */
export function startRtspPull(options: RtspPullOptions): RtspPull {
  return new RtspPuller(options);
}

class RtspPuller implements RtspPull {
  readonly stream: Stream;
  attempts = 0;
  connected = false;
  private stopped = false;
  private client: RtspClient | null = null;
  private readonly abort = new AbortController();
  private readonly done: Promise<void>;
  private readonly url: URL;
  private readonly credentials: { username: string; password: string } | null;
  private readonly log: Logger;
  private readonly wallOrigin = Date.now();
  private lastDts = -Infinity;

  constructor(private readonly o: RtspPullOptions) {
    this.url = new URL(o.url);
    if (this.url.protocol !== 'rtsp:') throw new Error(`not an rtsp:// URL: ${this.url.protocol}`);
    const username = o.username ?? (this.url.username ? decodeURIComponent(this.url.username) : '');
    const password = o.password ?? (this.url.password ? decodeURIComponent(this.url.password) : '');
    this.credentials = username ? { username, password } : null;
    this.url.username = '';
    this.url.password = '';
    this.log = o.logger.child({ pull: o.path, source: `${this.url.host}${this.url.pathname}` });
    this.stream = o.hub.publish(o.path, { protocol: 'RTSP_PULL', remote: this.url.host });
    this.stream.once('closed', () => void this.stop());
    this.done = this.run();
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.abort.abort();
      const c = this.client;
      if (c && !c.closed) {
        await Promise.race([c.request('TEARDOWN', this.url.toString()).catch(() => undefined), sleep(500)]);
        c.close();
      }
    }
    await this.done;
    this.stream.close('pull stopped');
  }

  private async run() {
    const min = this.o.minBackoffMs ?? 500;
    const max = this.o.maxBackoffMs ?? 30_000;
    let backoff = min;
    while (!this.stopped) {
      let flowed = false;
      try {
        flowed = await this.session();
      } catch (err) {
        if (!this.stopped) this.log.warn({ err: (err as Error).message }, 'rtsp pull: source failed');
      }
      this.connected = false;
      if (this.stopped) break;
      if (flowed) backoff = min;
      this.log.info({ retryInMs: backoff }, 'rtsp pull: reconnecting');
      await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
      backoff = Math.min(max, backoff * 2);
    }
  }

  /** One connection, from OPTIONS to its end; true when media flowed. */
  private async session(): Promise<boolean> {
    this.attempts++;
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const client = await RtspClient.connect(this.url.hostname, Number(this.url.port || 554), this.credentials, timeoutMs);
    this.client = client;
    const pairs: UdpPair[] = [];
    const timers: NodeJS.Timeout[] = [];
    const ended = new Promise<void>((resolve) => client.once('close', () => resolve()));
    try {
      if (this.stopped) return false;
      const url = this.url.toString();
      const options = await client.request('OPTIONS', url);
      const methods = parseRtspPublic(rtspHeader(options.headers, 'Public') ?? '');
      const described = await client.expectOk('DESCRIBE', url, [['Accept', 'application/sdp']]);
      const base = rtspHeader(described.headers, 'Content-Base') ?? rtspHeader(described.headers, 'Content-Location') ?? url;
      const sdp = parseSdp(described.body);
      const tracks = ingestTracksFromSdp(sdp);
      if (tracks.length === 0) throw new RtspClientError('the source has no H.264, H.265, AAC, G.711 or Opus track');
      const ingest = new RtpIngest(this.stream, tracks, { wallOrigin: this.wallOrigin, notBeforeMs: this.lastDts + 1 });
      const channels = new Map<number, number>();
      const rtcpTargets: Array<{ pair: UdpPair; port: number }> = [];
      for (const [i, t] of tracks.entries()) {
        const controlUrl = resolveSdpControl(base, t.control);
        if (this.o.transport === 'tcp') {
          const res = await client.expectOk('SETUP', controlUrl, [['Transport', `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`]]);
          const reply = parseRtspTransport(rtspHeader(res.headers, 'Transport') ?? `RTP/AVP/TCP;interleaved=${2 * i}-${2 * i + 1}`)[0];
          channels.set(reply?.interleaved?.[0] ?? 2 * i, i);
        } else {
          const pair = await bindUdpPair(client.socket.localAddress ?? '0.0.0.0');
          pairs.push(pair);
          pair.rtp.on('message', (msg) => ingest.receive(i, msg));
          for (const s of [pair.rtp, pair.rtcp]) s.on('error', () => undefined);
          const res = await client.expectOk('SETUP', controlUrl, [['Transport', `RTP/AVP;unicast;client_port=${pair.ports[0]}-${pair.ports[1]}`]]);
          const reply = parseRtspTransport(rtspHeader(res.headers, 'Transport') ?? '')[0];
          if (reply?.lowerTransport === 'TCP') throw new RtspClientError('the source answered UDP SETUP with TCP');
          if (reply?.serverPort) rtcpTargets.push({ pair, port: reply.serverPort[1] });
        }
      }
      client.on('interleaved', (channel: number, payload: Buffer) => {
        const i = channels.get(channel);
        if (i !== undefined) ingest.receive(i, payload);
      });
      const sessionControl = sdpAttribute(sdp.attributes, 'control');
      await client.expectOk('PLAY', resolveSdpControl(base, sessionControl), [['Range', 'npt=0.000-']]);
      const playedAt = Date.now();
      this.log.info({ transport: this.o.transport, tracks: tracks.map((t) => t.track.codec) }, 'rtsp pull: playing');

      const keepalive = methods.includes('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
      const host = client.socket.remoteAddress ?? this.url.hostname;
      timers.push(setInterval(() => {
        void client.request(keepalive, url).catch(() => client.close());
        for (const { pair, port } of rtcpTargets) pair.rtcp.send(buildRtcpReceiverReport(1), port, host, () => undefined);
      }, Math.max(2, client.sessionTimeout / 2) * 1000));
      timers.push(setInterval(() => {
        this.connected = ingest.packetsIn > 0 && Date.now() - ingest.lastPacketAt < timeoutMs;
        if (Date.now() - (ingest.lastPacketAt || playedAt) > timeoutMs) {
          this.log.warn({ timeoutMs }, 'rtsp pull: no media, dropping the connection');
          client.close();
        }
      }, Math.min(1000, timeoutMs)));
      await ended;
      this.lastDts = Math.max(this.lastDts, ingest.lastDts);
      return ingest.packetsIn > 0;
    } finally {
      for (const t of timers) clearInterval(t);
      for (const p of pairs) p.close();
      client.close();
      this.client = null;
    }
  }
}
