import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed play tokens: the media subgraph issues them inside play URLs, the media server checks
 * them without a database (signature and expiry here; revocation through `media.grant.revoked`
 * events on the bus; use counting against `maxUses` is the media server's job).
 *
 * Wire format (url-safe, no escaping needed in a query string):
 *   "pt1." + base64url(JSON array of the claims) + "." + base64url(HMAC-SHA256(key, "pt1." + body))
 * The key is `config.deriveKey(PLAY_TOKEN_KEY_PURPOSE)`, so every process sharing the master key
 * can verify.
 */

/** Protocols a play URL can be issued for (the GraphQL enum PlayProtocol has the same values). */
export const PLAY_PROTOCOLS = ['RTMP', 'FLV', 'WS_FLV', 'HLS', 'LL_HLS', 'RTSP', 'WEBRTC', 'PLAYER'] as const;
export type PlayProtocol = (typeof PLAY_PROTOCOLS)[number];

/**
 * What a PLAYER token (the media server's player page) also opens on its stream: the page tries
 * WebRTC, then LL-HLS, then FLV (HLS and WS-FLV for players that ask for them).
 */
export const PLAYER_PROTOCOLS: readonly PlayProtocol[] = ['WEBRTC', 'LL_HLS', 'HLS', 'FLV', 'WS_FLV'];

export const PLAY_STREAMS = ['primary', 'sub'] as const;
export type PlayStream = (typeof PLAY_STREAMS)[number];

/** Purpose string for config.deriveKey. */
export const PLAY_TOKEN_KEY_PURPOSE = 'play-tokens';

/** Path suffix after `live/<channelId>/<stream>` for each protocol (shared by issuer and media server). */
export const PLAY_PATH_SUFFIX: Record<PlayProtocol, string> = {
  RTMP: '',
  FLV: '.flv',
  WS_FLV: '.flv',
  HLS: '/index.m3u8',
  LL_HLS: '/ll.m3u8',
  RTSP: '',
  WEBRTC: '/whep',
  PLAYER: '',
};

/**
 * Path of a live stream on the media server, without a leading slash: `live/<channelId>/<stream><suffix>`,
 * or `play/<channelId>/<stream>` for the player page.
 */
export function playPath(channelId: string, stream: PlayStream, protocol: PlayProtocol): string {
  if (protocol === 'PLAYER') return `play/${encodeURIComponent(channelId)}/${stream}`;
  return `live/${encodeURIComponent(channelId)}/${stream}${PLAY_PATH_SUFFIX[protocol]}`;
}

export interface PlayTokenClaims {
  /** Row id of the grant in the media subgraph (revocation key). */
  grantId: string;
  tenantId: string;
  channelId: string;
  stream: PlayStream;
  protocol: PlayProtocol;
  /** Expiry, epoch seconds. */
  exp: number;
  /** How many times the URL may be opened; 0 = unlimited. */
  maxUses: number;
}

export type PlayTokenFailure = 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED';

export type PlayTokenCheck =
  | { ok: true; claims: PlayTokenClaims }
  | { ok: false; reason: PlayTokenFailure; /** present for EXPIRED (the signature was good) */ claims?: PlayTokenClaims };

const PREFIX = 'pt1.';
const VERSION = 1;
/** Longer strings are refused before any work is done on them. */
export const MAX_PLAY_TOKEN_LENGTH = 2048;
/** Ids in claims: 1–128 printable ASCII characters, no spaces. */
const ID_RE = /^[\x21-\x7e]{1,128}$/;

export class PlayTokenCodec {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('play token key must be at least 32 bytes');
  }

  /** Codec keyed from the configuration's master key. */
  static fromConfig(config: { deriveKey(purpose: string): Buffer }): PlayTokenCodec {
    return new PlayTokenCodec(config.deriveKey(PLAY_TOKEN_KEY_PURPOSE));
  }

  sign(claims: PlayTokenClaims): string {
    const problem = claimsProblem(claims);
    if (problem) throw new Error(`invalid play token claims: ${problem}`);
    const c = claims;
    const body = Buffer.from(
      JSON.stringify([VERSION, c.grantId, c.tenantId, c.channelId, c.stream, c.protocol, c.exp, c.maxUses]),
    ).toString('base64url');
    return `${PREFIX}${body}.${this.mac(body).toString('base64url')}`;
  }

  /** Checks a token: shape, signature, then expiry (against `nowSeconds`). */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): PlayTokenCheck {
    if (typeof token !== 'string' || token.length > MAX_PLAY_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
      return { ok: false, reason: 'MALFORMED' };
    }
    const rest = token.slice(PREFIX.length);
    const dot = rest.indexOf('.');
    if (dot <= 0 || dot !== rest.lastIndexOf('.')) return { ok: false, reason: 'MALFORMED' };
    const body = rest.slice(0, dot);
    const sig = rest.slice(dot + 1);
    if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'MALFORMED' };
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'BAD_SIGNATURE' };
    let parts: unknown;
    try {
      parts = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'MALFORMED' };
    }
    if (!Array.isArray(parts) || parts.length !== 8 || parts[0] !== VERSION) return { ok: false, reason: 'MALFORMED' };
    const [, grantId, tenantId, channelId, stream, protocol, exp, maxUses] = parts;
    const claims = { grantId, tenantId, channelId, stream, protocol, exp, maxUses } as PlayTokenClaims;
    if (claimsProblem(claims)) return { ok: false, reason: 'MALFORMED' };
    if (claims.exp <= nowSeconds) return { ok: false, reason: 'EXPIRED', claims };
    return { ok: true, claims };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`${PREFIX}${body}`).digest();
  }
}

/** Why claims are not well-formed, or null when they are. */
function claimsProblem(c: PlayTokenClaims): string | null {
  if (typeof c !== 'object' || c === null) return 'not an object';
  for (const k of ['grantId', 'tenantId', 'channelId'] as const) {
    if (typeof c[k] !== 'string' || !ID_RE.test(c[k])) return `${k} must be 1-128 printable ASCII characters without spaces`;
  }
  if (!PLAY_STREAMS.includes(c.stream)) return `stream must be one of ${PLAY_STREAMS.join(', ')}`;
  if (!PLAY_PROTOCOLS.includes(c.protocol)) return `protocol must be one of ${PLAY_PROTOCOLS.join(', ')}`;
  if (!Number.isSafeInteger(c.exp) || c.exp <= 0) return 'exp must be a positive integer (epoch seconds)';
  if (!Number.isSafeInteger(c.maxUses) || c.maxUses < 0) return 'maxUses must be an integer >= 0';
  return null;
}
