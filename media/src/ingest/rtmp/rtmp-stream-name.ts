import { parseLivePath, type LivePath } from '../../access/stream-path.js';

export interface RtmpTarget {
  live: LivePath;
  /** Query parameters of tcUrl, app and stream name together (key, token, …); later ones win. */
  query: URLSearchParams;
}

/**
 * Where an RTMP publish/play goes: app + "/" + stream name must name a live path. Encoders split
 * rtmp://host/live/<ch>/primary?key=… differently (app "live/<ch>" + "primary?key=…", or app
 * "live" + "<ch>/primary?key=…"); both resolve to live/<ch>/primary. Null when it is no live path.
 */
export function resolveRtmpTarget(app: string, tcUrl: string | undefined, streamName: string): RtmpTarget | null {
  const query = new URLSearchParams();
  const merge = (q: string) => new URLSearchParams(q).forEach((v, k) => query.set(k, v));
  if (tcUrl) {
    const i = tcUrl.indexOf('?');
    if (i >= 0) merge(tcUrl.slice(i + 1));
  }
  const [appPath = '', appQuery = ''] = splitQuery(app);
  const [namePath = '', nameQuery = ''] = splitQuery(streamName);
  merge(appQuery);
  merge(nameQuery);
  const full = [appPath, namePath].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  const live = parseLivePath('/' + full.replace(/^(flv|mp4):/, ''));
  if (!live || live.rest !== '') return null;
  return { live, query };
}

function splitQuery(s: string): [string, string] {
  const i = s.indexOf('?');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}
