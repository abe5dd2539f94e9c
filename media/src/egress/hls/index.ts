/**
 * HLS egress (module 'hls'): /live/<ch>/<stream>/index.m3u8 (HLS, MPEG-TS segments) and
 * /live/<ch>/<stream>/ll.m3u8 (LL-HLS, fMP4 parts), with their segment, part and init URLs.
 */
import type { MediaContext, MediaModule } from '../../media-server.js';
import { HLS_DEFAULTS, HlsServer, type HlsOptions } from './hls-server.js';

export { HLS_DEFAULTS, type HlsOptions } from './hls-server.js';

export interface HlsModule extends MediaModule {
  /** Running segmenters ("<HLS|LL_HLS> <path>"), once started. */
  activeSegmenters(): string[];
}

export function hlsModule(options: Partial<HlsOptions> = {}): HlsModule {
  let server: HlsServer | null = null;
  return {
    name: 'hls',
    activeSegmenters: () => server?.active() ?? [],
    async start(ctx: MediaContext) {
      const s = (server = new HlsServer(ctx, { ...HLS_DEFAULTS, ...options }));
      ctx.addHttpRoute(s.route);
      return { close: async () => s.close() };
    },
  };
}
