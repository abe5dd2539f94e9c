import { ArgusError, ConfigError, ErrorCode, playPath, type PlayProtocol, type PlayStream } from '@argus/platform';

/** Bounds of Channel.live arguments. */
export const EXPIRES_IN_MIN = 30;
export const EXPIRES_IN_MAX = 86_400;
export const EXPIRES_IN_DEFAULT = 3_600;
export const USE_TIMES_MAX = 1_000_000;

/** Validates Channel.live's numeric arguments (before anything is written). */
export function checkLiveArgs(args: { expiresIn: number; useTimes: number }): void {
  if (!Number.isInteger(args.expiresIn) || args.expiresIn < EXPIRES_IN_MIN || args.expiresIn > EXPIRES_IN_MAX) {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, `expiresIn must be between ${EXPIRES_IN_MIN} and ${EXPIRES_IN_MAX} seconds`, { field: 'expiresIn' });
  }
  if (!Number.isInteger(args.useTimes) || args.useTimes < 0 || args.useTimes > USE_TIMES_MAX) {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, `useTimes must be between 0 (unlimited) and ${USE_TIMES_MAX}`, { field: 'useTimes' });
  }
}

/** Where players reach the media server, per scheme. No trailing slash. */
export interface MediaEndpoints {
  http: string;
  ws: string;
  rtmp: string;
  rtsp: string;
}

export const DEFAULT_MEDIA_PUBLIC_URL = 'http://127.0.0.1:8080';

/**
 * Reads the media server's public addresses from the environment:
 * MEDIA_PUBLIC_URL (http/https; FLV, HLS, LL-HLS, WebRTC WHEP, and ws/wss for WS-FLV),
 * MEDIA_RTMP_URL (default rtmp://<host of MEDIA_PUBLIC_URL>:1935),
 * MEDIA_RTSP_URL (default rtsp://<host of MEDIA_PUBLIC_URL>:8554). Empty means unset.
 */
export function mediaEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): MediaEndpoints {
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

/** The play URL a player opens: <base>/live/<channelId>/<stream><suffix>?token=<token>. */
export function buildPlayUrl(
  endpoints: MediaEndpoints,
  channelId: string,
  stream: PlayStream,
  protocol: PlayProtocol,
  token: string,
): string {
  const base =
    protocol === 'RTMP' ? endpoints.rtmp :
    protocol === 'RTSP' ? endpoints.rtsp :
    protocol === 'WS_FLV' ? endpoints.ws :
    endpoints.http;
  return `${base}/${playPath(channelId, stream, protocol)}?token=${encodeURIComponent(token)}`;
}
