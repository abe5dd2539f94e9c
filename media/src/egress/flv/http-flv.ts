import { encodeFlvHeader, encodeFlvTag } from '@argus/protocols';
import { BatchWriter } from '../../hub/index.js';
import type { HttpRoute, MediaContext } from '../../media-server.js';
import { FLV_FORMAT, FlvPreludes, flvHeaderFlags } from './flv-packets.js';
import { withAacAudio } from '../../transcode/index.js';

const FLV_HEADERS = {
  'content-type': 'video/x-flv',
  'cache-control': 'no-cache, no-store',
  'access-control-allow-origin': '*',
};

/**
 * The response head of a live FLV body: no Content-Length and no chunked framing, the body ends
 * when the connection does (so the shared tag bytes go to the socket as they are).
 */
const FLV_RESPONSE_HEAD = Buffer.from(
  'HTTP/1.1 200 OK\r\n' + Object.entries(FLV_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('') + 'connection: close\r\n\r\n',
  'latin1',
);

/** GET /live/<channelId>/<stream>.flv?token=… → a never-ending FLV body. */
export function httpFlvRoute(ctx: MediaContext): HttpRoute {
  return async (req, res, url, live) => {
    if (live.rest !== '.flv' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    await ctx.authorizer.authorize(url.searchParams.get('token'), { channelId: live.channelId, stream: live.stream, protocol: 'FLV' });
    // Opus (from a WebRTC publisher) reaches FLV as AAC (a derived stream); other streams come as they are
    const stream = withAacAudio(ctx, await ctx.openStream(live), 'FLV');
    if (req.method === 'HEAD') {
      res.writeHead(200, FLV_HEADERS);
      res.end();
      return true;
    }
    const socket = req.socket;
    if (socket.destroyed) return true;
    socket.setNoDelay(true);
    // the response is written to the socket directly from here on; `res` stays unused
    const preludes = new FlvPreludes(() => stream.tracks);
    const writer = new BatchWriter(
      socket,
      (frames) => {
        // a player that keeps up takes the same run of frames as the others: one shared Buffer
        const run = preludes.current(stream.tracks) ? stream.encoderOf(FLV_FORMAT).tagBytes(frames) : null;
        if (run) return void socket.write(run);
        socket.cork();
        try {
          for (const frame of frames) {
            const p = stream.encoded(FLV_FORMAT, frame);
            if (!p) continue;
            for (const tag of preludes.before(p)) socket.write(encodeFlvTag(tag));
            socket.write(p.tag);
          }
        } finally {
          socket.uncork();
        }
      },
      (err) => {
        if (err) ctx.logger.warn({ err, path: live.path }, 'HTTP-FLV viewer failed');
        socket.end();
      },
    );
    socket.write(Buffer.concat([FLV_RESPONSE_HEAD, encodeFlvHeader(flvHeaderFlags(stream))]));
    writer.start(stream.addReader('FLV', socket.remoteAddress, { onFrames: writer.wake, formats: [FLV_FORMAT] }));
    return true;
  };
}
