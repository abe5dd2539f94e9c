/**
 * RTSP authentication (RFC 2617 as used by RTSP cameras): Basic and Digest (MD5, MD5-sess,
 * qop=auth or none). Client side: answer a 401 challenge. Server side: parse and check an
 * Authorization header.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RtspError, RtspErrorCode } from './errors.js';

export interface RtspAuthChallenge {
  /** "Basic" or "Digest" (as sent, case kept). */
  scheme: string;
  /** realm, nonce, opaque, algorithm, qop, stale… (keys lower-cased). */
  params: Record<string, string>;
}

export type RtspCredentials =
  | { scheme: 'Basic'; username: string; password: string }
  | { scheme: 'Digest'; params: Record<string, string> };

/** Parses `key=value, key="quoted, value"` lists. */
function parseAuthParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  let pos = 0;
  let count = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) {
      if (text.slice(pos).trim()) throw new RtspError(RtspErrorCode.BAD_AUTH, 'malformed authentication parameters');
      break;
    }
    if (++count > 32) throw new RtspError(RtspErrorCode.BAD_AUTH, 'too many authentication parameters');
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    pos = re.lastIndex;
  }
  return { ...params };
}

/** Parses the values of every WWW-Authenticate header of a 401 response. */
export function parseRtspAuthChallenges(values: readonly string[]): RtspAuthChallenge[] {
  const out: RtspAuthChallenge[] = [];
  for (const v of values.slice(0, 8)) {
    if (v.length > 4096) throw new RtspError(RtspErrorCode.TOO_LARGE, 'WWW-Authenticate header is too long');
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(v);
    if (!m) throw new RtspError(RtspErrorCode.BAD_AUTH, 'malformed WWW-Authenticate header');
    out.push({ scheme: m[1]!, params: parseAuthParams(m[2]!) });
  }
  return out;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export interface RtspDigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  algorithm?: string;
  /** "auth" when the challenge offered it; absent for RFC 2069 digest. */
  qop?: string;
  /** 8 hex digits, e.g. "00000001"; with qop. */
  nc?: string;
  cnonce?: string;
}

/** The `response` value of a Digest Authorization. */
export function rtspDigestResponse(d: RtspDigestInput): string {
  let ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  if ((d.algorithm ?? '').toUpperCase() === 'MD5-SESS') ha1 = md5(`${ha1}:${d.nonce}:${d.cnonce ?? ''}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  return d.qop ? md5(`${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`) : md5(`${ha1}:${d.nonce}:${ha2}`);
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

export interface RtspAuthorizeInput {
  challenge: RtspAuthChallenge;
  username: string;
  password: string;
  method: string;
  uri: string;
  /** Requests already answered with this challenge's nonce (qop=auth nonce count); default 1. */
  nonceCount?: number;
  /** Client nonce for qop=auth; a caller-supplied random string. */
  cnonce?: string;
}

/** The Authorization header value answering `challenge` for one request. */
export function buildRtspAuthorization(a: RtspAuthorizeInput): string {
  const scheme = a.challenge.scheme.toLowerCase();
  if (scheme === 'basic') return `Basic ${Buffer.from(`${a.username}:${a.password}`, 'utf8').toString('base64')}`;
  if (scheme !== 'digest') throw new RtspError(RtspErrorCode.BAD_AUTH, `unsupported authentication scheme ${a.challenge.scheme}`);
  const p = a.challenge.params;
  if (p.realm === undefined || !p.nonce) throw new RtspError(RtspErrorCode.BAD_AUTH, 'Digest challenge without realm or nonce');
  const algorithm = p.algorithm;
  if (algorithm && !/^MD5(-sess)?$/i.test(algorithm)) throw new RtspError(RtspErrorCode.BAD_AUTH, `unsupported digest algorithm ${algorithm}`);
  const qops = (p.qop ?? '').split(',').map((s) => s.trim().toLowerCase());
  const qop = qops.includes('auth') ? 'auth' : undefined;
  const nc = (a.nonceCount ?? 1).toString(16).padStart(8, '0');
  const cnonce = a.cnonce ?? '0a4f113b';
  const response = rtspDigestResponse({
    username: a.username, password: a.password, realm: p.realm, nonce: p.nonce, method: a.method, uri: a.uri,
    ...(algorithm ? { algorithm } : {}), ...(qop ? { qop, nc, cnonce } : {}),
  });
  const parts = [
    `username=${quote(a.username)}`, `realm=${quote(p.realm)}`, `nonce=${quote(p.nonce)}`, `uri=${quote(a.uri)}`, `response=${quote(response)}`,
  ];
  if (algorithm) parts.push(`algorithm=${algorithm}`);
  if (p.opaque !== undefined) parts.push(`opaque=${quote(p.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Server side: parses an Authorization header. */
export function parseRtspAuthorization(value: string): RtspCredentials {
  if (value.length > 4096) throw new RtspError(RtspErrorCode.TOO_LARGE, 'Authorization header is too long');
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (!m) throw new RtspError(RtspErrorCode.BAD_AUTH, 'malformed Authorization header');
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'basic') {
    const decoded = Buffer.from(m[2]!.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new RtspError(RtspErrorCode.BAD_AUTH, 'malformed Basic credentials');
    return { scheme: 'Basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (scheme === 'digest') return { scheme: 'Digest', params: parseAuthParams(m[2]!) };
  throw new RtspError(RtspErrorCode.BAD_AUTH, `unsupported authentication scheme ${m[1]}`);
}

/** Server side: true when Digest `params` answer `nonce` for `method` with this password. */
export function verifyRtspDigest(params: Record<string, string>, expect: { realm: string; nonce: string; method: string; password: string }): boolean {
  if (params.realm !== expect.realm || params.nonce !== expect.nonce || !params.username || !params.uri || !params.response) return false;
  const expected = rtspDigestResponse({
    username: params.username, password: expect.password, realm: expect.realm, nonce: expect.nonce, method: expect.method, uri: params.uri,
    ...(params.algorithm ? { algorithm: params.algorithm } : {}),
    ...(params.qop ? { qop: params.qop, nc: params.nc ?? '', cnonce: params.cnonce ?? '' } : {}),
  });
  const a = Buffer.from(expected);
  const b = Buffer.from(params.response.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
