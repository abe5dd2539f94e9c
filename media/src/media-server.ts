import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { RtspRequest } from '@argus/protocols';
import { Redis } from 'ioredis';
import {
  PlayTokenCodec, publishKeyMatches, PUBLISH_KEY_PURPOSE, metricsRegistry,
  type Logger, type ServiceRuntime,
} from '@argus/platform';
import { StreamHub, StreamTimeoutError, type Stream } from './hub/index.js';
import { PlayAuthorizer, PlayRefused, MemoryUseCounter, RedisUseCounter } from './access/play-authorizer.js';
import { parseLivePath, type LivePath } from './access/stream-path.js';
import { mediaConfigFromEnv, type MediaConfig } from './media-config.js';
import { SnapshotService, INTERNAL_SNAPSHOT_PATH } from './snapshot/index.js';
import type { Reply, RtspConnection } from './egress/rtsp/connection.js';

export type HttpRoute = (req: IncomingMessage, res: ServerResponse, url: URL, live: LivePath) => Promise<boolean> | boolean;
/** A handler for paths outside /live/ (the player page); returns false when the path is not its own. */
export type PageRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, live: LivePath) => Promise<boolean> | boolean;

/** A WebSocket upgrade handler for paths outside /live/ (talk); returns false when the path is not its own. */
export type PageUpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => Promise<boolean> | boolean;

/**
 * Serves RTSP requests the RTSP module does not know (e.g. the talk backchannel at /cam/talk/…):
 * `owns` is asked first for every request of every connection (by URL, or by the session the
 * connection holds); the types are the RTSP module's (egress/rtsp/connection.ts).
 */
export interface RtspRoute {
  owns(req: RtspRequest, conn: RtspConnection): boolean;
  handle(conn: RtspConnection, req: RtspRequest): Promise<Reply>;
}

/** What every ingest and egress module gets. */
export interface MediaContext {
  hub: StreamHub;
  authorizer: PlayAuthorizer;
  config: MediaConfig;
  logger: Logger;
  runtime: ServiceRuntime;
  /** True when `key` may publish to `path`. */
  mayPublish(path: string, key: string | null | undefined): boolean;
  /**
   * The ready stream at `live.path`. When nobody publishes it yet, asks the access plane to
   * start the source (bus `media.stream.requested`) and waits for its first keyframe.
   */
  openStream(live: LivePath): Promise<Stream>;
  /** Registers an HTTP handler for /live/... paths (returns false when the path is not its own). */
  addHttpRoute(route: HttpRoute): void;
  addUpgradeRoute(route: UpgradeRoute): void;
  /** Registers an HTTP handler for paths outside /live/ (e.g. /play/...). */
  addPageRoute(route: PageRoute): void;
  /** Registers a WebSocket upgrade handler for paths outside /live/ (e.g. /talk/ws). */
  addPageUpgradeRoute(route: PageUpgradeRoute): void;
  addRtspRoute(route: RtspRoute): void;
  /** Registered with addRtspRoute (the RTSP connections ask them first). */
  readonly rtspRoutes: readonly RtspRoute[];
  /** This node's id (bus events name it). */
  readonly nodeId: string;
}

/** Pulls a source into the hub at `path` (RTSP today); stop() ends the pull and the stream. */
export type SourcePuller = (source: { path: string; url: string; transport: 'tcp' | 'udp'; username: string | null; password: string | null }) => { stop(): void };

export interface MediaModule {
  name: string;
  start(ctx: MediaContext): Promise<{ close(): Promise<void> }>;
}

export class StreamUnavailable extends PlayRefused {
  constructor(path: string, why: string) {
    super(404, 'STREAM_NOT_FOUND', `stream ${path} is not available: ${why}`);
  }
}

/** Sends a PlayRefused (or any error) as a small JSON body with the right status. */
export function sendRefusal(res: ServerResponse, err: unknown): void {
  const r = err instanceof PlayRefused ? err : new PlayRefused(503, 'UNAVAILABLE', 'media server error');
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: { code: r.code, message: r.message } });
  res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'access-control-allow-origin': '*' });
  res.end(body);
}

/**
 * The media server of one node: the hub, the HTTP server shared by the HTTP-based egresses
 * (FLV, HLS, WHEP, snapshots), the protocol modules, and the bus hooks (stream.ready,
 * stream.idle, stream.closed, player.joined/left).
 */
export class MediaServer {
  readonly hub = new StreamHub();
  readonly config: MediaConfig;
  private http: Server;
  private httpRoutes: HttpRoute[] = [];
  private upgradeRoutes: UpgradeRoute[] = [];
  private pageRoutes: PageRoute[] = [];
  private pageUpgradeRoutes: PageUpgradeRoute[] = [];
  private rtspRoutes: RtspRoute[] = [];
  private modules: Array<{ name: string; close(): Promise<void> }> = [];
  private idleTimers = new Map<string, NodeJS.Timeout>();
  private redis: Redis | null = null;
  private pulls = new Map<string, { stop(): void }>();
  private unavailable = new Map<string, (reason: string) => void>();
  private puller: SourcePuller | null = null;
  readonly ctx: MediaContext;
  /** POST /internal/snapshot (for the media subgraph's snapshot mutation). */
  private readonly snapshots: SnapshotService;
  httpPort = 0;

  constructor(
    private readonly runtime: ServiceRuntime,
    config?: MediaConfig,
    /** Names this node in bus requests, so answers come back to it. */
    readonly nodeId: string = `media-${Math.random().toString(36).slice(2, 10)}`,
  ) {
    this.config = config ?? mediaConfigFromEnv();
    const logger = runtime.logger.child({ service: 'media-server' });
    this.redis = runtime.config.REDIS_URL ? new Redis(runtime.config.REDIS_URL, { maxRetriesPerRequest: 2 }) : null;
    const authorizer = new PlayAuthorizer(
      PlayTokenCodec.fromConfig(runtime.config),
      this.redis ? new RedisUseCounter(this.redis) : new MemoryUseCounter(),
    );
    const publishKey = runtime.config.deriveKey(PUBLISH_KEY_PURPOSE);
    this.ctx = {
      hub: this.hub,
      authorizer,
      config: this.config,
      logger,
      runtime,
      mayPublish: (path, key) => publishKeyMatches(publishKey, path, key),
      openStream: (live) => this.openStream(live),
      addHttpRoute: (r) => this.httpRoutes.push(r),
      addUpgradeRoute: (r) => this.upgradeRoutes.push(r),
      addPageRoute: (r) => this.pageRoutes.push(r),
      addPageUpgradeRoute: (r) => this.pageUpgradeRoutes.push(r),
      addRtspRoute: (r) => this.rtspRoutes.push(r),
      rtspRoutes: this.rtspRoutes,
      nodeId,
    };
    this.snapshots = new SnapshotService(this.ctx);
    this.http = createServer((req, res) => void this.handleHttp(req, res));
    this.http.on('upgrade', (req, socket, head) => void this.handleUpgrade(req, socket, head));
    this.http.keepAliveTimeout = 65_000;
    this.wireEvents();
  }

  /** Sets how on-demand sources are pulled (media.source.resolved answers). */
  setSourcePuller(puller: SourcePuller): void {
    this.puller = puller;
  }

  async start(modules: MediaModule[]): Promise<void> {
    await this.ctx.authorizer.watchRevocations(this.runtime.bus);
    await this.watchSourceAnswers();
    for (const m of modules) {
      const handle = await m.start(this.ctx);
      this.modules.push({ name: m.name, close: handle.close });
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.config.httpPort, this.config.host, () => resolve());
    });
    this.httpPort = (this.http.address() as AddressInfo).port;
    this.ctx.logger.info({ http: this.httpPort, modules: modules.map((m) => m.name) }, 'media server listening');
  }

  async close(): Promise<void> {
    for (const t of this.idleTimers.values()) clearTimeout(t);
    for (const p of this.pulls.values()) p.stop();
    this.pulls.clear();
    this.snapshots.close();
    this.hub.closeAll();
    for (const m of [...this.modules].reverse()) await m.close().catch(() => {});
    await new Promise<void>((r) => {
      this.http.close(() => r());
      this.http.closeAllConnections();
    });
    this.redis?.disconnect();
  }

  private async openStream(live: LivePath): Promise<Stream> {
    const existing = this.hub.get(live.path);
    if (existing?.ready) return existing;
    let refuse: (reason: string) => void = () => {};
    const refused = new Promise<never>((_, reject) => (refuse = (reason) => reject(new StreamUnavailable(live.path, reason))));
    refused.catch(() => undefined);
    if (!existing) {
      this.unavailable.set(live.path, refuse);
      await this.runtime.bus.publish('media.stream.requested', { path: live.path, channelId: live.channelId, stream: live.stream, nodeId: this.nodeId });
    }
    try {
      return await Promise.race([this.hub.waitReady(live.path, this.config.onDemandTimeoutMs), refused]);
    } catch (err) {
      if (err instanceof StreamTimeoutError) throw new StreamUnavailable(live.path, 'no source started in time');
      throw err;
    } finally {
      if (this.unavailable.get(live.path) === refuse) this.unavailable.delete(live.path);
    }
  }

  /** Answers of the access plane to this node's media.stream.requested. */
  private async watchSourceAnswers() {
    const bus = this.runtime.bus;
    await bus.subscribe<{ path: string; nodeId: string; url: string; transport: 'tcp' | 'udp'; username: string | null; passwordSealed: string | null }>(
      'media.source.resolved',
      (e) => {
        const a = e.data;
        if (a.nodeId !== this.nodeId || this.pulls.has(a.path) || this.hub.get(a.path)) return;
        if (!this.puller) return this.unavailable.get(a.path)?.('this media node cannot pull sources');
        const password = a.passwordSealed ? this.runtime.secrets.open(a.passwordSealed, a.path) : null;
        this.ctx.logger.info({ path: a.path, url: a.url }, 'pulling source on demand');
        this.pulls.set(a.path, this.puller({ path: a.path, url: a.url, transport: a.transport, username: a.username, password }));
      },
    );
    await bus.subscribe<{ path: string; nodeId: string; reason: string }>('media.source.unavailable', (e) => {
      if (e.data.nodeId === this.nodeId) this.unavailable.get(e.data.path)?.(e.data.reason);
    });
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://media');
    try {
      if (url.pathname === '/healthz') return void res.end('ok');
      if (url.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        return void res.end(await metricsRegistry.metrics());
      }
      if (url.pathname === '/v1/streams') {
        const body = JSON.stringify({ streams: this.hub.list().map((s) => s.stats()) });
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(body);
      }
      if (url.pathname === INTERNAL_SNAPSHOT_PATH) return void (await this.snapshots.serve(req, res, url));
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, if-match',
          'access-control-expose-headers': 'location, etag, link',
        });
        return void res.end();
      }
      const live = parseLivePath(url.pathname);
      if (live) {
        for (const route of this.httpRoutes) if (await route(req, res, url, live)) return;
      } else {
        for (const route of this.pageRoutes) if (await route(req, res, url)) return;
      }
      sendRefusal(res, new PlayRefused(404, 'NOT_FOUND', `no media at ${url.pathname}`));
    } catch (err) {
      if (!(err instanceof PlayRefused)) this.ctx.logger.error({ err, path: url.pathname }, 'media request failed');
      sendRefusal(res, err);
    }
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://media');
    const live = parseLivePath(url.pathname);
    try {
      if (live) {
        for (const route of this.upgradeRoutes) if (await route(req, socket, head, url, live)) return;
      } else {
        for (const route of this.pageUpgradeRoutes) if (await route(req, socket, head, url)) return;
      }
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
    } catch (err) {
      const r = err instanceof PlayRefused ? err : new PlayRefused(503, 'UNAVAILABLE', 'media server error');
      socket.end(`HTTP/1.1 ${r.status} ${r.code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
  }

  private wireEvents() {
    const bus = this.runtime.bus;
    const info = (s: Stream) => {
      const live = parseLivePath(s.path);
      return { path: s.path, channelId: live?.channelId ?? null, stream: live?.stream ?? null, tenantId: s.publisher.tenantId ?? null };
    };
    const publish = (subject: string, data: object) =>
      void bus.publish(subject, data).catch((err) => this.ctx.logger.warn({ err, subject }, 'bus publish failed'));
    this.hub.on('ready', (s: Stream) => {
      publish('stream.ready', { ...info(s), protocol: s.publisher.protocol, tracks: describeTracks(s) });
      this.armIdle(s);
    });
    this.hub.on('unpublish', (s: Stream, reason: string) => {
      if (reason !== 'idle') this.pulls.get(s.path)?.stop();
      this.pulls.delete(s.path);
      const t = this.idleTimers.get(s.path);
      if (t) clearTimeout(t);
      this.idleTimers.delete(s.path);
      publish('stream.closed', { ...info(s), reason, stats: s.stats() });
    });
    this.hub.on('reader', (s: Stream, e: { joined: boolean; reader: { protocol: string; remote?: string; bytesOut: number; dropped: number; joinedAt: number } }) => {
      publish(e.joined ? 'player.joined' : 'player.left', {
        ...info(s),
        protocol: e.reader.protocol,
        remote: e.reader.remote ?? null,
        // billing meters egress bytes and viewing time per protocol from player.left
        ...(e.joined ? {} : { bytesOut: e.reader.bytesOut, dropped: e.reader.dropped, durationMs: Date.now() - e.reader.joinedAt }),
      });
      if (e.joined) {
        const t = this.idleTimers.get(s.path);
        if (t) clearTimeout(t);
        this.idleTimers.delete(s.path);
      } else this.armIdle(s);
    });
  }

  /** After `idleSeconds` without readers a stream is announced idle; the source owner may stop it. */
  private armIdle(s: Stream) {
    if (s.readerCount > 0 || this.idleTimers.has(s.path)) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(s.path);
      if (s.readerCount === 0 && !s.closed) {
        void this.runtime.bus.publish('stream.idle', { path: s.path, idleSeconds: this.config.idleSeconds }).catch(() => {});
        s.emit('idle');
        // a source pulled on demand stops when nobody watches it any more
        const pull = this.pulls.get(s.path);
        if (pull) {
          this.pulls.delete(s.path);
          pull.stop();
          s.close('idle');
        }
      }
    }, this.config.idleSeconds * 1000);
    timer.unref();
    this.idleTimers.set(s.path, timer);
  }
}

function describeTracks(s: Stream) {
  const { video, audio } = s.tracks;
  return {
    video: video ? { codec: video.codec, width: video.width ?? null, height: video.height ?? null } : null,
    audio: audio ? { codec: audio.codec, sampleRate: audio.sampleRate, channels: audio.channels } : null,
  };
}
