/**
 * Module 'player': the player page at /play/<channelId>/<stream>?token=… and its scripts at
 * /play/assets/. Opening the page checks the PLAYER token and consumes one use; the page gets a
 * ticket for its media requests (see PlayAuthorizer.pageTicket), so falling back from WebRTC to
 * LL-HLS to FLV uses no further use of the URL. Frames of any origin may embed the page.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { playPath, type PlayStream } from '@argus/platform';
import { PlayRefused } from '../access/play-authorizer.js';
import { sendRefusal, type MediaContext, type MediaModule } from '../media-server.js';
import { webrtcConfigFromEnv, type IceServer } from '../egress/webrtc/webrtc-config.js';
import { PLAYER_JS, playerPageHtml, type PlayerPageConfig } from './player-page.js';

const require = createRequire(import.meta.url);
const ASSETS = '/play/assets';

export interface PlayerModuleOptions {
  /** ICE servers for the page's RTCPeerConnection (default: MEDIA_WEBRTC_ICE_SERVERS). */
  iceServers?: IceServer[];
  startTimeoutMs?: number;
}

export function playerModule(options: PlayerModuleOptions = {}): MediaModule {
  return {
    name: 'player',
    async start(ctx) {
      const iceServers = options.iceServers ?? webrtcConfigFromEnv().iceServers;
      const assets = new Map<string, { type: string; body: Buffer | string }>([
        ['hls.min.js', { type: 'text/javascript; charset=utf-8', body: await readFile(require.resolve('hls.js/dist/hls.min.js')) }],
        ['mpegts.js', { type: 'text/javascript; charset=utf-8', body: await readFile(require.resolve('mpegts.js')) }],
        ['player.js', { type: 'text/javascript; charset=utf-8', body: PLAYER_JS }],
      ]);
      ctx.addPageRoute((req, res, url) => route(ctx, req, res, url, assets, iceServers, options.startTimeoutMs ?? 6000));
      return { close: async () => undefined };
    },
  };
}

async function route(
  ctx: MediaContext, req: IncomingMessage, res: ServerResponse, url: URL,
  assets: Map<string, { type: string; body: Buffer | string }>, iceServers: IceServer[], startTimeoutMs: number,
): Promise<boolean> {
  if (!url.pathname.startsWith('/play/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  if (url.pathname.startsWith(`${ASSETS}/`)) {
    const a = assets.get(url.pathname.slice(ASSETS.length + 1));
    if (!a) return false;
    res.writeHead(200, { 'content-type': a.type, 'content-length': Buffer.byteLength(a.body), 'cache-control': 'public, max-age=3600' });
    res.end(req.method === 'HEAD' ? undefined : a.body);
    return true;
  }
  const m = /^\/play\/([A-Za-z0-9_.~-]{1,128})\/(primary|sub)\/?$/.exec(url.pathname);
  if (!m) return false;
  const [, channelId, stream] = m as unknown as [string, string, PlayStream];
  try {
    const token = url.searchParams.get('token');
    const claims = await ctx.authorizer.authorize(token, { channelId, stream, protocol: 'PLAYER' });
    const ticket = encodeURIComponent(ctx.authorizer.pageTicket(token!, claims));
    const at = (protocol: 'WEBRTC' | 'LL_HLS' | 'FLV') => `/${playPath(channelId, stream, protocol)}?token=${ticket}`;
    const order = parseOrder(url.searchParams.get('order'));
    const config: PlayerPageConfig = {
      whep: at('WEBRTC'), llhls: at('LL_HLS'), flv: at('FLV'), iceServers, order, startTimeoutMs, title: `${channelId} ${stream}`,
    };
    const html = playerPageHtml(config, ASSETS);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob:; connect-src 'self'; img-src data:; worker-src blob:; frame-ancestors *",
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  } catch (err) {
    sendRefusal(res, err instanceof PlayRefused ? err : new PlayRefused(503, 'UNAVAILABLE', 'media server error'));
  }
  return true;
}

/** ?order=webrtc,llhls,flv (any subset, in order); the default tries all three. */
function parseOrder(value: string | null): PlayerPageConfig['order'] {
  const all = ['webrtc', 'llhls', 'flv'] as const;
  if (!value) return [...all];
  const picked = value.split(',').map((s) => s.trim()).filter((s): s is (typeof all)[number] => (all as readonly string[]).includes(s));
  return picked.length ? [...new Set(picked)] : [...all];
}
