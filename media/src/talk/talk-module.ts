/**
 * The talk module of a media node ('talk'): the node's talk sessions (TalkNode) and their
 * transports — the RTSP ONVIF backchannel on the RTSP module's port (an RTSP route for
 * /cam/talk/…), WebSocket talk on the HTTP port (/talk/ws) and WebRTC talk (/talk/webrtc).
 * Devices are reached through `connector` (the access plane's talk drivers); without one, every
 * talker is refused with 503.
 */
import { Redis } from 'ioredis';
import type { MediaContext, MediaModule } from '../media-server.js';
import { MemoryUseCounter, RedisUseCounter, type UseCounter } from '../access/play-authorizer.js';
import type { DeviceTalkConnector } from './device-talk.js';
import { TalkNode } from './talk-node.js';
import type { TalkEntitlementGate } from './talk-authorizer.js';
import { talkConfigFromEnv, type TalkConfig } from './talk-config.js';
import { BackchannelRoute } from './rtsp/backchannel-route.js';
import { websocketTalkRoute } from './websocket/ws-talk-route.js';
import { webrtcTalkRoute } from './webrtc/webrtc-talk-route.js';

export interface TalkModuleOptions {
  connector: DeviceTalkConnector | null;
  /** TALK checked again when a URL is used (the platform's entitlementsFor(runtime)). */
  entitlements?: TalkEntitlementGate | Promise<TalkEntitlementGate>;
  config?: Partial<TalkConfig>;
  ffmpegPath?: string;
}

export interface TalkModule extends MediaModule {
  /** Set once started. */
  node: TalkNode | null;
}

export function talkModule(options: TalkModuleOptions): TalkModule {
  const mod: TalkModule = {
    name: 'talk',
    node: null,
    async start(ctx: MediaContext) {
      const config = { ...talkConfigFromEnv(), ...options.config };
      const redisUrl = ctx.runtime.config.REDIS_URL;
      const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 2 }) : null;
      const uses: UseCounter = redis ? new RedisUseCounter(redis) : new MemoryUseCounter();
      const node = new TalkNode(ctx, { connector: options.connector, uses, ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}) });
      if (options.entitlements) node.authorizer.useEntitlements(await options.entitlements);
      await node.start();
      const log = ctx.logger.child({ module: 'talk' });
      ctx.addRtspRoute(new BackchannelRoute(node, config.sessionTimeoutSeconds));
      const ws = websocketTalkRoute(node, config.sessionTimeoutSeconds, log);
      ctx.addPageRoute(ws.page);
      ctx.addPageUpgradeRoute(ws.upgrade);
      ctx.addPageRoute(webrtcTalkRoute(node, log));
      mod.node = node;
      log.info({ sessionTimeoutSeconds: config.sessionTimeoutSeconds, devices: options.connector ? 'access plane' : 'none' }, 'talk ready');
      return {
        async close() {
          node.closeAll();
          redis?.disconnect();
        },
      };
    },
  };
  return mod;
}
