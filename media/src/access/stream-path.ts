import type { PlayStream } from '@argus/platform';

export interface LivePath {
  channelId: string;
  stream: PlayStream;
  /** Hub key: live/<channelId>/<stream>. */
  path: string;
  /** What follows the stream name (".flv", "/index.m3u8", "/seg12.ts", …). */
  rest: string;
}

/** Parses `/live/<channelId>/<primary|sub><rest>`; null for anything else. */
export function parseLivePath(pathname: string): LivePath | null {
  const m = /^\/?live\/([A-Za-z0-9_.~-]{1,128})\/(primary|sub)(.*)$/.exec(pathname);
  if (!m) return null;
  const [, channelId, stream, rest] = m as unknown as [string, string, PlayStream, string];
  return { channelId, stream, path: `live/${channelId}/${stream}`, rest };
}
