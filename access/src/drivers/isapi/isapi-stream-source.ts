import { SourceUnavailable, type ChannelSource, type PullSource, type StreamKind } from '../../channel-source.js';

/**
 * Hikvision ISAPI live view (hikvision-isapi-integration.txt §4.3.1): RTSP at
 * rtsp://<address>:<port>/Streaming/Channels/<id>, where id = channel number × 100 + stream
 * (1 main, 2 sub): channel 1 → 101 / 102. Channels count from 1 for ISAPI.
 * The device address is host[:rtspPort] (default 554) or an http(s) URL of the device, whose host is used.
 */
export function isapiStreamSource(source: ChannelSource, stream: StreamKind): PullSource {
  const raw = (source.address ?? '').trim();
  if (!raw) throw new SourceUnavailable(`ISAPI device ${source.deviceId} has no address`);
  let host: string;
  let port = 554;
  if (/^[a-z]+:\/\//i.test(raw)) {
    const u = new URL(raw);
    host = u.hostname;
    if (u.protocol === 'rtsp:' && u.port) port = Number(u.port);
  } else {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw);
    if (!m) throw new SourceUnavailable(`ISAPI device ${source.deviceId} has an unusable address "${raw}"`);
    host = m[1]!;
    if (m[2]) port = Number(m[2]);
  }
  if (!Number.isInteger(source.channelIndex) || source.channelIndex < 1) {
    throw new SourceUnavailable(`channel ${source.channelId} has no ISAPI channel number`);
  }
  const id = source.channelIndex * 100 + (stream === 'sub' ? 2 : 1);
  return { url: `rtsp://${host}:${port}/Streaming/Channels/${id}`, transport: 'tcp', username: source.username, password: source.password };
}
