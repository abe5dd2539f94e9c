import { encodeFlvHeader, encodeFlvTag } from '@argus/protocols';
import type { HttpRoute, MediaContext } from '../../media-server.js';
import { flvFeed, flvHeaderFlags } from './flv-feed.js';
import { writeWithBackpressure } from './write-with-backpressure.js';

const FLV_HEADERS = {
  'content-type': 'video/x-flv',
  'cache-control': 'no-cache, no-store',
  'access-control-allow-origin': '*',
};

/** GET /live/<channelId>/<stream>.flv?token=… → a chunked, never-ending FLV response. */
export function httpFlvRoute(ctx: MediaContext): HttpRoute {
  return async (req, res, url, live) => {
    if (live.rest !== '.flv' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    await ctx.authorizer.authorize(url.searchParams.get('token'), { channelId: live.channelId, stream: live.stream, protocol: 'FLV' });
    const stream = await ctx.openStream(live);
    if (req.method === 'HEAD') {
      res.writeHead(200, FLV_HEADERS);
      res.end();
      return true;
    }
    const reader = stream.addReader('FLV', req.socket.remoteAddress);
    res.writeHead(200, FLV_HEADERS);
    req.socket.setNoDelay(true);
    const stop = () => reader.close();
    res.once('close', stop);
    void (async () => {
      try {
        if (!(await writeWithBackpressure(res, encodeFlvHeader(flvHeaderFlags(stream))))) return;
        for await (const tag of flvFeed(stream, reader)) {
          if (!(await writeWithBackpressure(res, encodeFlvTag(tag)))) break;
        }
      } catch (err) {
        ctx.logger.warn({ err, path: live.path }, 'HTTP-FLV viewer failed');
      } finally {
        reader.close();
        res.off('close', stop);
        res.end();
      }
    })();
    return true;
  };
}
