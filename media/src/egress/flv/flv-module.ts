import type { MediaModule } from '../../media-server.js';
import { httpFlvRoute } from './http-flv.js';
import { wsFlvRoute } from './ws-flv.js';

/** HTTP-FLV and WS-FLV egress on the shared HTTP server (/live/<channelId>/<stream>.flv). */
export function flvModule(): MediaModule {
  return {
    name: 'flv',
    async start(ctx) {
      ctx.addHttpRoute(httpFlvRoute(ctx));
      const ws = wsFlvRoute(ctx);
      ctx.addUpgradeRoute(ws.route);
      return { close: async () => ws.close() };
    },
  };
}
