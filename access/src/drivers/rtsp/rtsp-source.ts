import { SourceUnavailable, type ChannelSource, type PullSource, type StreamKind } from '../../channel-source.js';

/**
 * Generic RTSP devices: the device address is the stream's RTSP URL. A sub stream may be given
 * as a second URL after a space or '|' ("rtsp://cam/main|rtsp://cam/sub"); without one, the
 * primary URL serves both. Credentials in the URL are moved out (the device record's login wins).
 */
export function rtspDeviceSource(source: ChannelSource, stream: StreamKind): PullSource {
  const urls = (source.address ?? '').split(/[|\s]+/).filter(Boolean);
  const chosen = stream === 'sub' && urls[1] ? urls[1] : urls[0];
  if (!chosen || !/^rtsps?:\/\//i.test(chosen)) {
    throw new SourceUnavailable(`RTSP device ${source.deviceId} has no rtsp:// address`);
  }
  const url = new URL(chosen);
  const username = source.username ?? (url.username ? decodeURIComponent(url.username) : null);
  const password = source.password ?? (url.password ? decodeURIComponent(url.password) : null);
  url.username = '';
  url.password = '';
  return { url: url.toString(), transport: 'tcp', username, password };
}
