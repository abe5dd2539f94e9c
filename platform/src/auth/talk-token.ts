import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed talk tokens: the media subgraph issues one per talk session (startTalk) inside the talk
 * URL; the media node checks it without a database (signature and expiry here; the single use is
 * counted by the node, in memory or Redis; stopped and taken-over sessions arrive as
 * `talk.revoked` events on the bus).
 *
 * Wire format (url-safe, no "/" so clients may append "/trackID=…" to the URL):
 *   "tt1." + base64url(JSON array of the claims) + "." + base64url(HMAC-SHA256(key, "tt1." + body))
 * The key is `config.deriveKey(TALK_TOKEN_KEY_PURPOSE)`: another purpose than play tokens, so a
 * play token is never a talk token.
 */

/** How the talker reaches the media node (the GraphQL enum TalkTransport has the same values). */
export const TALK_TRANSPORTS = ['RTSP', 'WEBSOCKET', 'WEBRTC'] as const;
export type TalkTransport = (typeof TALK_TRANSPORTS)[number];

/** Audio codecs of talk sessions (the GraphQL enum TalkCodec has the same values). */
export const TALK_CODECS = ['PCMU', 'PCMA', 'L16', 'AAC', 'OPUS'] as const;
export type TalkCodecName = (typeof TALK_CODECS)[number];

export const TALK_TOKEN_KEY_PURPOSE = 'talk-tokens';

/** A talk URL lives at most this long (cmiot-video-northbound-api.txt §4.5.3: "最高上限600秒"). */
export const TALK_URL_MAX_SECONDS = 600;

export interface TalkTokenClaims {
  /** Talk session id (the media subgraph's row; revocation and single-use key). */
  sessionId: string;
  tenantId: string;
  channelId: string;
  transport: TalkTransport;
  /** What the talker sends and hears. */
  codec: TalkCodecName;
  /** Samples per second of `codec` (8000 for G.711, 48000 for Opus). */
  sampleRate: number;
  /** Expiry of the URL, epoch seconds (a session that started goes on past it). */
  exp: number;
  /** Issue time, epoch milliseconds: of two sessions of one channel, the newer takes over. */
  iat: number;
}

export type TalkTokenCheck =
  | { ok: true; claims: TalkTokenClaims }
  | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED'; claims?: TalkTokenClaims };

const PREFIX = 'tt1.';
const VERSION = 1;
export const MAX_TALK_TOKEN_LENGTH = 2048;
const ID_RE = /^[\x21-\x7e]{1,128}$/;

export class TalkTokenCodec {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('talk token key must be at least 32 bytes');
  }

  static fromConfig(config: { deriveKey(purpose: string): Buffer }): TalkTokenCodec {
    return new TalkTokenCodec(config.deriveKey(TALK_TOKEN_KEY_PURPOSE));
  }

  sign(claims: TalkTokenClaims): string {
    const problem = claimsProblem(claims);
    if (problem) throw new Error(`invalid talk token claims: ${problem}`);
    const c = claims;
    const body = Buffer.from(
      JSON.stringify([VERSION, c.sessionId, c.tenantId, c.channelId, c.transport, c.codec, c.sampleRate, c.exp, c.iat]),
    ).toString('base64url');
    return `${PREFIX}${body}.${this.mac(body).toString('base64url')}`;
  }

  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): TalkTokenCheck {
    if (typeof token !== 'string' || token.length > MAX_TALK_TOKEN_LENGTH || !token.startsWith(PREFIX)) return { ok: false, reason: 'MALFORMED' };
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
    if (!Array.isArray(parts) || parts.length !== 9 || parts[0] !== VERSION) return { ok: false, reason: 'MALFORMED' };
    const [, sessionId, tenantId, channelId, transport, codec, sampleRate, exp, iat] = parts;
    const claims = { sessionId, tenantId, channelId, transport, codec, sampleRate, exp, iat } as TalkTokenClaims;
    if (claimsProblem(claims)) return { ok: false, reason: 'MALFORMED' };
    if (claims.exp <= nowSeconds) return { ok: false, reason: 'EXPIRED', claims };
    return { ok: true, claims };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`${PREFIX}${body}`).digest();
  }
}

function claimsProblem(c: TalkTokenClaims): string | null {
  if (typeof c !== 'object' || c === null) return 'not an object';
  for (const k of ['sessionId', 'tenantId', 'channelId'] as const) {
    if (typeof c[k] !== 'string' || !ID_RE.test(c[k])) return `${k} must be 1-128 printable ASCII characters without spaces`;
  }
  if (!TALK_TRANSPORTS.includes(c.transport)) return `transport must be one of ${TALK_TRANSPORTS.join(', ')}`;
  if (!TALK_CODECS.includes(c.codec)) return `codec must be one of ${TALK_CODECS.join(', ')}`;
  if (!Number.isSafeInteger(c.sampleRate) || c.sampleRate < 8000 || c.sampleRate > 48000) return 'sampleRate must be 8000 – 48000';
  if (!Number.isSafeInteger(c.exp) || c.exp <= 0) return 'exp must be a positive integer (epoch seconds)';
  if (!Number.isSafeInteger(c.iat) || c.iat <= 0) return 'iat must be a positive integer (epoch ms)';
  return null;
}

/** Bus subjects of talk sessions (payloads in the comments). */
export const TALK_SUBJECTS = {
  /** A talker connected and the device leg is open: TalkStartedEvent (media node). */
  started: 'talk.started',
  /** The session ended (or failed before it started): TalkEndedEvent (media node; media subgraph for lost nodes). */
  ended: 'talk.ended',
  /** stopTalk or a take-over: { sessionId, tenantId, channelId, reason } (media subgraph); nodes end the leg and refuse the token. */
  revoked: 'talk.revoked',
  /** A media node asks the access plane how to reach a channel's device: TalkDeviceRequest. */
  deviceRequested: 'talk.device.requested',
  /** The access plane's answer: TalkDeviceResolved or TalkDeviceUnavailable. */
  deviceResolved: 'talk.device.resolved',
  deviceUnavailable: 'talk.device.unavailable',
} as const;

export interface TalkStartedEvent {
  sessionId: string;
  tenantId: string;
  channelId: string;
  nodeId: string;
  transport: TalkTransport;
  codec: TalkCodecName;
  sampleRate: number;
  /** The device side of the leg, e.g. "PCMU/8000 via ONVIF". */
  device: string;
  startedAt: string;
}

export interface TalkEndedEvent {
  sessionId: string;
  tenantId: string;
  channelId: string;
  nodeId: string | null;
  transport: TalkTransport;
  /** Null when the session never started (the device could not be reached, the talker left first). */
  startedAt: string | null;
  endedAt: string;
  /** Talk time in milliseconds (0 when it never started): what billing meters (TALK_SECONDS). */
  durationMs: number;
  reason: string;
  /** Audio bytes talker → device and device → talker (as the talker's codec carries them). */
  bytesUp: number;
  bytesDown: number;
}

export interface TalkRevokedEvent {
  sessionId: string;
  tenantId: string;
  channelId: string;
  reason: string;
}

/** Paths of the talk URLs on a media node. */
export const TALK_PATHS = {
  /** RTSP ONVIF backchannel, as cmiot-video-northbound-api.txt appendix 5.6. */
  RTSP: '/cam/talk/devices',
  WEBSOCKET: '/talk/ws',
  /** POST an SDP offer (application/sdp), get the answer. */
  WEBRTC: '/talk/webrtc',
} as const satisfies Record<TalkTransport, string>;

/** encodeType of the RTSP talk URL per codec (appendix 5.6 writes 16-bit PCM as "PCM1"). */
export const TALK_ENCODE_TYPES: Record<TalkCodecName, string> = { L16: 'PCM1', PCMA: 'G711A', PCMU: 'G711U', AAC: 'AAC', OPUS: 'OPUS' };

/**
 * The codec an encodeType names: the values above, the codec names themselves, and the numeric
 * audioEncode of §4.5.3.2 (0 = AAC, 1 = G.711 A-law). Null for anything else.
 */
export function talkCodecOfEncodeType(value: string | null | undefined): TalkCodecName | null {
  const v = (value ?? '').trim().toUpperCase();
  const aliases: Record<string, TalkCodecName> = {
    PCM1: 'L16', PCM: 'L16', L16: 'L16', '0': 'AAC', AAC: 'AAC', '1': 'PCMA', G711A: 'PCMA', PCMA: 'PCMA', G711U: 'PCMU', PCMU: 'PCMU', OPUS: 'OPUS',
  };
  return aliases[v] ?? null;
}

/**
 * The URL a talker opens: RTSP `<rtsp>/cam/talk/devices?vcuid=<channel>&encodeType=…&bits=16&sampleRate=…&token=…`,
 * WebSocket `<ws>/talk/ws?vcuid=<channel>&token=…`, WebRTC `<http>/talk/webrtc?token=…`.
 */
export function buildTalkUrl(endpoints: { http: string; ws: string; rtsp: string }, claims: TalkTokenClaims, token: string): string {
  const vcuid = encodeURIComponent(claims.channelId);
  const t = encodeURIComponent(token);
  switch (claims.transport) {
    case 'RTSP':
      return `${endpoints.rtsp}${TALK_PATHS.RTSP}?vcuid=${vcuid}&encodeType=${TALK_ENCODE_TYPES[claims.codec]}&bits=16&sampleRate=${claims.sampleRate}&token=${t}`;
    case 'WEBSOCKET':
      return `${endpoints.ws}${TALK_PATHS.WEBSOCKET}?vcuid=${vcuid}&token=${t}`;
    case 'WEBRTC':
      return `${endpoints.http}${TALK_PATHS.WEBRTC}?token=${t}`;
  }
}

/** Sample rates a talk codec is carried at (G.711 8 kHz, Opus 48 kHz, L16 and AAC the usual rates). */
export const TALK_SAMPLE_RATES: Record<TalkCodecName, readonly number[]> = {
  PCMU: [8000],
  PCMA: [8000],
  OPUS: [48000],
  L16: [8000, 11025, 16000, 22050, 32000, 44100, 48000],
  AAC: [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000],
};

export const talkRateSupported = (codec: TalkCodecName, rate: number) => TALK_SAMPLE_RATES[codec]?.includes(rate) ?? false;
