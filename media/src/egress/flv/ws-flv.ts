import type { Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { encodeFlvHeader, encodeFlvTag } from '@argus/protocols';
import type { MediaContext, UpgradeRoute } from '../../media-server.js';
import { BatchWriter, type Stream } from '../../hub/index.js';
import { FLV_FORMAT, FlvPreludes, flvHeaderFlags } from './flv-packets.js';
import { withAacAudio } from '../../transcode/index.js';

/**
 * WebSocket /live/<channelId>/<stream>.flv?token=… → binary messages: the FLV header first, then
 * one FLV tag per message (the stream's shared tag bytes). A burst of tags goes out corked in one
 * write; while the socket's buffer is full nothing more is taken, so a slow viewer only fills
 * its own reader queue.
 */
export function wsFlvRoute(ctx: MediaContext): { route: UpgradeRoute; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const route: UpgradeRoute = async (req, socket, head, url, live) => {
    if (live.rest !== '.flv') return false;
    await ctx.authorizer.authorize(url.searchParams.get('token'), { channelId: live.channelId, stream: live.stream, protocol: 'WS_FLV' });
    // Opus (from a WebRTC publisher) reaches FLV as AAC (a derived stream); other streams come as they are
    const stream = withAacAudio(ctx, await ctx.openStream(live), 'FLV');
    const remote = req.socket.remoteAddress;
    wss.handleUpgrade(req, socket, head, (ws) => play(ws, socket as Socket, stream, remote));
    return true;
  };
  const play = (ws: WebSocket, socket: Socket, stream: Stream, remote?: string) => {
    ws.on('message', () => {}); // viewers have nothing to say
    ws.on('error', () => ws.terminate());
    if (ws.readyState !== WebSocket.OPEN || stream.closed) return void ws.close(1000, 'stream ended');
    socket.setNoDelay(true);
    const preludes = new FlvPreludes(() => stream.tracks);
    const send = (bytes: Buffer) => ws.send(bytes, { binary: true });
    const writer = new BatchWriter(
      socket,
      (frames) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        socket.cork();
        try {
          for (const frame of frames) {
            const p = stream.encoded(FLV_FORMAT, frame);
            if (!p) continue;
            for (const tag of preludes.before(p)) send(encodeFlvTag(tag));
            send(p.tag);
          }
        } finally {
          socket.uncork();
        }
      },
      (err) => {
        if (err) ctx.logger.warn({ err, path: stream.path }, 'WS-FLV viewer failed');
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'stream ended');
      },
    );
    send(encodeFlvHeader(flvHeaderFlags(stream)));
    const reader = stream.addReader('WS_FLV', remote, { onFrames: writer.wake, formats: [FLV_FORMAT] });
    ws.once('close', () => reader.close());
    writer.start(reader);
  };
  return {
    route,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
