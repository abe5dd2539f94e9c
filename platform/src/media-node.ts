import { ConfigError } from './config.js';

/** What a media node tells the control plane every few seconds on `media.node.heartbeat`. */
export const MEDIA_NODE_HEARTBEAT_SUBJECT = 'media.node.heartbeat';

export interface MediaNodeEndpoints {
  http: string;
  ws: string;
  rtmp: string;
  rtsp: string;
}

export interface MediaNodeStreamSummary {
  path: string;
  channelId: string | null;
  stream: string | null;
  publisher: string;
  video: string | null;
  audio: string | null;
  width: number | null;
  height: number | null;
  bitrateInKbps: number;
  readers: number;
  readersByProtocol: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  droppedFrames: number;
  uptimeSeconds: number;
}

export interface MediaNodeHeartbeat {
  nodeId: string;
  endpoints: MediaNodeEndpoints;
  startedAt: string;
  load: { streams: number; readers: number; bitrateInKbps: number; cpuPercent: number; rssMiB: number };
  streams: MediaNodeStreamSummary[];
}

/** Where players reach the media server, per scheme. No trailing slash. */

export const DEFAULT_MEDIA_PUBLIC_URL = 'http://127.0.0.1:8080';

/**
 * Reads the media server's public addresses from the environment:
 * MEDIA_PUBLIC_URL (http/https; FLV, HLS, LL-HLS, WebRTC WHEP, and ws/wss for WS-FLV),
 * MEDIA_RTMP_URL (default rtmp://<host of MEDIA_PUBLIC_URL>:1935),
 * MEDIA_RTSP_URL (default rtsp://<host of MEDIA_PUBLIC_URL>:8554). Empty means unset.
 */
export function mediaEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): MediaNodeEndpoints {
  const issues: string[] = [];
  const read = (name: string, schemes: string[], fallback: string): string => {
    const value = (env[name] ?? '').trim() || fallback;
    let parsed: URL | null = null;
    try {
      parsed = new URL(value);
    } catch {
      /* reported below */
    }
    if (!parsed || !schemes.includes(parsed.protocol) || !parsed.hostname || parsed.search || parsed.hash) {
      issues.push(`${name}: must be a ${schemes.map((s) => `${s}//host[:port][/path]`).join(' or ')} URL without query, got "${value}"`);
      return fallback;
    }
    return value.replace(/\/+$/, '');
  };
  const http = read('MEDIA_PUBLIC_URL', ['http:', 'https:'], DEFAULT_MEDIA_PUBLIC_URL);
  const hostPart = new URL(http).hostname; // IPv6 comes bracketed
  const rtmp = read('MEDIA_RTMP_URL', ['rtmp:', 'rtmps:'], `rtmp://${hostPart}:1935`);
  const rtsp = read('MEDIA_RTSP_URL', ['rtsp:', 'rtsps:'], `rtsp://${hostPart}:8554`);
  if (issues.length) throw new ConfigError(issues);
  return { http, ws: http.replace(/^http/, 'ws'), rtmp, rtsp };
}

