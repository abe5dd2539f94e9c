/**
 * The RTSP server module ('rtsp', TCP port ctx.config.rtspPort, 0 = ephemeral): players DESCRIBE,
 * SETUP and PLAY streams (egress); publishers ANNOUNCE, SETUP and RECORD them (ingest). Media
 * goes over the RTSP connection (interleaved) or over one shared UDP port pair. Sessions end with
 * their connection, or after the session timeout without keepalives when the connection lingers.
 */
import { createServer, type Server } from 'node:net';
import type { MediaContext, MediaModule } from '../../media-server.js';
import { RtspConnection } from './connection.js';
import { SESSION_TIMEOUT_SECONDS, udpKey, type RtspModuleOptions, type RtspServerState } from './server-state.js';
import { bindUdpPair, plainAddress } from './udp-pair.js';

export interface RtspModuleHandle {
  close(): Promise<void>;
  /** The TCP port actually bound. */
  port: number;
  /** The UDP RTP/RTCP server ports. */
  udpPorts: [number, number];
}

export interface RtspModule extends MediaModule {
  /** Set once started. */
  handle: RtspModuleHandle | null;
  /** The TCP port bound (0 before start). */
  readonly port: number;
  start(ctx: MediaContext): Promise<RtspModuleHandle>;
}

const DEFAULT_UDP_RANGE: [number, number] = [8000, 8099];
const MAX_CONNECTIONS = 5000;

export function createRtspModule(options: RtspModuleOptions = {}): RtspModule {
  const mod: RtspModule = {
    name: 'rtsp',
    handle: null,
    get port() {
      return mod.handle?.port ?? 0;
    },
    async start(ctx) {
      const log = ctx.logger.child({ module: 'rtsp' });
      const range = options.udpPortRange ?? (ctx.config.rtspPort === 0 ? undefined : DEFAULT_UDP_RANGE);
      const udp = await bindUdpPair(ctx.config.host, range);
      const state: RtspServerState = {
        ctx, log, udp, sessions: new Map(), udpRoutes: new Map(),
        options: { ...options, sessionTimeoutSeconds: options.sessionTimeoutSeconds ?? SESSION_TIMEOUT_SECONDS },
      };
      for (const [socket, rtcp] of [[udp.rtp, false], [udp.rtcp, true]] as const) {
        socket.on('message', (msg, rinfo) => state.udpRoutes.get(udpKey(plainAddress(rinfo.address), rinfo.port))?.(msg, rtcp));
        socket.on('error', (err) => log.warn({ err }, 'rtsp: udp socket error'));
      }
      const conns = new Set<RtspConnection>();
      const server: Server = createServer((socket) => {
        const conn = new RtspConnection(socket, state);
        conns.add(conn);
        socket.once('close', () => conns.delete(conn));
      });
      server.maxConnections = MAX_CONNECTIONS;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ctx.config.rtspPort, ctx.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((err) => {
        udp.close();
        throw err;
      });
      server.on('error', (err) => log.error({ err }, 'rtsp: server error'));
      const timeoutMs = state.options.sessionTimeoutSeconds * 1000;
      const sweeper = setInterval(() => {
        const now = Date.now();
        for (const s of [...state.sessions.values()]) {
          if ((s.usesUdp || s.conn.closed) && now - s.lastActivity > timeoutMs) {
            log.info({ session: s.id, path: s.path }, 'rtsp: session timed out');
            s.close('session timeout');
            if (s.conn.session === null && now - s.conn.lastActivity > timeoutMs) s.conn.close();
          }
        }
        for (const c of conns) if (!c.session && now - c.lastActivity > timeoutMs) c.close();
      }, Math.min(5000, timeoutMs));
      sweeper.unref();
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : ctx.config.rtspPort;
      log.info({ port, udp: udp.ports }, 'rtsp listening');
      const handle: RtspModuleHandle = {
        port,
        udpPorts: udp.ports,
        async close() {
          clearInterval(sweeper);
          for (const c of [...conns]) c.close();
          for (const s of [...state.sessions.values()]) s.close('server shutting down');
          await new Promise<void>((r) => server.close(() => r()));
          udp.close();
        },
      };
      mod.handle = handle;
      return handle;
    },
  };
  return mod;
}

/** Same as createRtspModule. */
export const rtspModule = createRtspModule;
