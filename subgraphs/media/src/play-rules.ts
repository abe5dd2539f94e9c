import { ArgusError, ErrorCode, playPath, type PlayProtocol, type PlayStream } from '@argus/platform';

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

export { mediaEndpointsFromEnv, DEFAULT_MEDIA_PUBLIC_URL, type MediaNodeEndpoints as MediaEndpoints } from '@argus/platform';
import type { MediaNodeEndpoints as MediaEndpoints } from '@argus/platform';

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
