import type { MediaModule } from '../../media-server.js';
import { WebRtcSessions } from './sessions.js';
import { WEBRTC_DEFAULTS, webrtcConfigFromEnv, type WebRtcConfig } from './webrtc-config.js';
import { whepRoute } from './whep-route.js';
import { whipRoute } from '../../ingest/whip/index.js';

export interface WebRtcModuleOptions {
  /** Settings (default: MEDIA_WEBRTC_* from the environment). */
  config?: Partial<WebRtcConfig>;
  /** Answers only the STUN checks of the named transport ('tcp': forces ICE-TCP, for tests). */
  filterStunResponse?: (protocol: 'udp' | 'tcp') => boolean;
  /** How often WHIP publishers are asked for a keyframe (default 2000 ms). */
  keyframeIntervalMs?: number;
}

export interface WebRtcModule extends MediaModule {
  /** The running sessions (after start). */
  sessions(): WebRtcSessions;
  config(): WebRtcConfig;
}

/** WHEP playback and WHIP publishing on the shared HTTP server. */
export function webrtcModule(options: WebRtcModuleOptions = {}): WebRtcModule {
  let sessions: WebRtcSessions | null = null;
  let config: WebRtcConfig | null = null;
  return {
    name: 'webrtc',
    sessions: () => {
      if (!sessions) throw new Error('the webrtc module has not started');
      return sessions;
    },
    config: () => config ?? { ...WEBRTC_DEFAULTS },
    async start(ctx) {
      const c = (config = { ...webrtcConfigFromEnv(), ...options.config });
      const s = (sessions = new WebRtcSessions(c.maxSessions));
      ctx.addHttpRoute(whepRoute(ctx, c, s, options.filterStunResponse ? { filterStunResponse: options.filterStunResponse } : {}));
      ctx.addHttpRoute(whipRoute(ctx, c, s, { keyframeIntervalMs: options.keyframeIntervalMs ?? 2000 }));
      return { close: async () => s.closeAll('server shutting down') };
    },
  };
}
