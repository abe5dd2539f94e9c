import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { MediaModule } from '../../media-server.js';
import { RtmpConnection } from './rtmp-connection.js';

export interface RtmpModule extends MediaModule {
  /** The TCP port the server bound (after start; useful with rtmpPort 0). */
  readonly port: number;
}

/**
 * The RTMP server (ingest and egress on one port, ctx.config.rtmpPort): publish with
 * rtmp://host/live/<channelId>/<stream>?key=…, play with …?token=….
 */
export function rtmpModule(): RtmpModule {
  let port = 0;
  return {
    name: 'rtmp',
    get port() {
      return port;
    },
    async start(ctx) {
      const log = ctx.logger.child({ module: 'rtmp' });
      const sockets = new Set<Socket>();
      const server: Server = createServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        new RtmpConnection(socket, ctx, log);
      });
      server.on('error', (err) => log.error({ err }, 'RTMP server error'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ctx.config.rtmpPort, ctx.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
      log.info({ port }, 'RTMP listening');
      return {
        port,
        close: async () => {
          for (const s of sockets) s.destroy();
          await new Promise<void>((r) => server.close(() => r()));
        },
      };
    },
  };
}
