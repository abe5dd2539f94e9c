import { WebSocketServer, WebSocket } from 'ws';
import { encodeFlvHeader, encodeFlvTag } from '@argus/protocols';
import type { MediaContext, UpgradeRoute } from '../../media-server.js';
import type { Stream, StreamReader } from '../../hub/index.js';
import { flvFeed, flvHeaderFlags } from './flv-feed.js';

/**
 * WebSocket /live/<channelId>/<stream>.flv?token=… → binary messages: the FLV header first, then
 * one FLV tag per message. Each send waits until the socket took it, so a slow viewer only
 * fills its own reader queue.
 */
export function wsFlvRoute(ctx: MediaContext): { route: UpgradeRoute; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const route: UpgradeRoute = async (req, socket, head, url, live) => {
    if (live.rest !== '.flv') return false;
    await ctx.authorizer.authorize(url.searchParams.get('token'), { channelId: live.channelId, stream: live.stream, protocol: 'WS_FLV' });
    const stream = await ctx.openStream(live);
    wss.handleUpgrade(req, socket, head, (ws) => void pump(ws, stream, req.socket.remoteAddress));
    return true;
  };
  const pump = async (ws: WebSocket, stream: Stream, remote?: string) => {
    const sock = (ws as unknown as { _socket?: { setNoDelay?(v: boolean): void } })._socket;
    sock?.setNoDelay?.(true);
    ws.on('message', () => {}); // viewers have nothing to say
    ws.on('error', () => ws.terminate());
    let reader: StreamReader | undefined;
    try {
      if (ws.readyState !== WebSocket.OPEN) return;
      const r = (reader = stream.addReader('WS_FLV', remote));
      ws.once('close', () => r.close());
      if (!(await send(ws, encodeFlvHeader(flvHeaderFlags(stream))))) return;
      for await (const tag of flvFeed(stream, r)) {
        if (!(await send(ws, encodeFlvTag(tag)))) break;
      }
    } catch (err) {
      ctx.logger.warn({ err, path: stream.path }, 'WS-FLV viewer failed');
    } finally {
      reader?.close();
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'stream ended');
    }
  };
  return {
    route,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function send(ws: WebSocket, bytes: Buffer): Promise<boolean> {
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
  return new Promise((resolve) => ws.send(bytes, { binary: true }, (err) => resolve(!err)));
}
