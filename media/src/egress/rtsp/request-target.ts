/** What an RTSP request URL names: the live path, the track control, the token or publish key. */
import { parseLivePath, type LivePath } from '../../access/stream-path.js';

export interface RequestTarget {
  live: LivePath | null;
  /** ?token=… (for playing) */
  token: string | null;
  /** ?key=… (for publishing) */
  key: string | null;
  /** rtsp://host:port/live/<ch>/<stream>/ — the Content-Base of a DESCRIBE answer. */
  base: string | null;
}

/**
 * Parses a request URI. Clients append track controls in odd places ("…/primary?token=x/trackID=0"),
 * so query values stop at the first "/".
 */
export function requestTarget(uri: string): RequestTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { live: null, token: null, key: null, base: null };
  }
  const param = (name: string) => url.searchParams.get(name)?.split('/')[0] || null;
  const live = parseLivePath(url.pathname);
  const base = live ? `${url.protocol}//${url.host}/${live.path}/` : null;
  return { live, token: param('token'), key: param('key'), base };
}
