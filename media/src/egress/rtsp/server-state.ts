/** What the RTSP connections of one server share: sessions, the UDP port pair, options. */
import { randomBytes } from 'node:crypto';
import type { RtspHeaderList } from '@argus/protocols';
import type { Logger } from '@argus/platform';
import type { MediaContext } from '../../media-server.js';
import type { UdpPair } from './udp-pair.js';
import type { RtspConnection } from './connection.js';

/** RFC 2326 default; announced in every Session header. */
export const SESSION_TIMEOUT_SECONDS = 60;

export interface RtspModuleOptions {
  /** UDP RTP/RTCP port pair is the first free one in this range (default 8000-8099; ephemeral when rtspPort is 0). */
  udpPortRange?: [number, number];
  /** Session timeout in seconds (default 60). */
  sessionTimeoutSeconds?: number;
  /** Require HTTP Digest credentials on every request (for tests of RTSP clients); token and key checks still apply. */
  requireDigest?: { realm: string; username: string; password: string };
}

/** An error that becomes an RTSP response. */
export class RtspReply extends Error {
  constructor(readonly status: number, message: string, readonly headers: RtspHeaderList = []) {
    super(message);
  }
}

export interface RtspSession {
  readonly id: string;
  /** 'talk': a session of an RTSP route (MediaContext.addRtspRoute). */
  readonly kind: 'play' | 'record' | 'talk';
  readonly path: string;
  readonly closed: boolean;
  /** The control connection; the session ends with it. */
  conn: RtspConnection;
  lastActivity: number;
  /** True when media goes over UDP (such sessions time out without keepalives). */
  readonly usesUdp: boolean;
  onInterleaved(channel: number, payload: Buffer): void;
  close(reason: string): void;
}

/** Handles UDP datagrams from one client address:port. */
export type UdpRoute = (data: Buffer, rtcp: boolean) => void;

export interface RtspServerState {
  ctx: MediaContext;
  log: Logger;
  udp: UdpPair;
  options: RtspModuleOptions & { sessionTimeoutSeconds: number };
  sessions: Map<string, RtspSession>;
  /** Key: "<address>:<port>" of the client's socket. */
  udpRoutes: Map<string, UdpRoute>;
}

export const newSessionId = () => randomBytes(8).toString('hex');

export const udpKey = (address: string, port: number) => `${address}:${port}`;
