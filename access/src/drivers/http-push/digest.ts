/**
 * HTTP Digest authentication as the push protocol uses it (spec §3, §4.1; notes §2.4, D15-D17):
 * MD5 with qop=auth, the device id in `User-Identify`, the password from the device record.
 *
 * Lenient where real cameras differ from RFC 7616: `algorithm="MD5"` quoted or bare, `qop=auth`
 * quoted or bare, no spaces after commas, a realm with spaces, and `nc` hashed exactly as received
 * (the spec's own example uses `nc=42`, not 8 hex digits). Also accepted: no qop (RFC 2069),
 * qop=auth-int, MD5-sess and SHA-256(-sess).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

/**
 * Parses `Digest k=v, k="v", …`. Keys are case-insensitive; quoted values may contain commas and
 * backslash escapes. Returns null when the scheme is not Digest or a required field is missing.
 */
export function parseDigestAuthorization(header: string | undefined): DigestCredentials | null {
  if (!header) return null;
  const m = /^\s*digest\s+/i.exec(header);
  if (!m) return null;
  const params = parseParams(header.slice(m[0].length));
  const { username, realm, nonce, uri, response } = params;
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return null;
  const out: DigestCredentials = { username, realm, nonce, uri, response };
  for (const k of ['algorithm', 'qop', 'nc', 'cnonce', 'opaque'] as const) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

/** `a=b, c="d, e"` → { a: 'b', c: 'd, e' }; the first occurrence of a key wins. */
export function parseParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++;
    const keyStart = i;
    while (i < n && s[i] !== '=' && s[i] !== ',') i++;
    const key = s.slice(keyStart, i).trim().toLowerCase();
    if (i >= n || s[i] === ',') {
      continue; // a bare token without value: ignore
    }
    i++; // '='
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < n && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < n) i++;
        value += s[i];
        i++;
      }
      i++; // closing quote
      while (i < n && s[i] !== ',') i++;
    } else {
      const start = i;
      while (i < n && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
    }
    if (key && !(key in out)) out[key] = value;
  }
  return out;
}

type HashName = 'md5' | 'sha256';

function hashOf(algorithm: string | undefined): { hash: HashName; sess: boolean } | null {
  const a = (algorithm ?? 'MD5').trim().toUpperCase();
  switch (a) {
    case 'MD5': return { hash: 'md5', sess: false };
    case 'MD5-SESS': return { hash: 'md5', sess: true };
    case 'SHA-256': return { hash: 'sha256', sess: false };
    case 'SHA-256-SESS': return { hash: 'sha256', sess: true };
    default: return null;
  }
}

const h = (hash: HashName, s: string | Buffer) => createHash(hash).update(s).digest('hex');

export interface DigestInput {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
  qop?: string;
  algorithm?: string;
  /** The request body; only used with qop=auth-int. */
  body?: Buffer;
}

/** The `response` value for these inputs (lower-case hex), or null for an unsupported algorithm/qop. */
export function digestResponse(i: DigestInput): string | null {
  const alg = hashOf(i.algorithm);
  if (!alg) return null;
  const qop = i.qop?.trim().toLowerCase();
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int') return null;
  let ha1 = h(alg.hash, `${i.username}:${i.realm}:${i.password}`);
  if (alg.sess) ha1 = h(alg.hash, `${ha1}:${i.nonce}:${i.cnonce ?? ''}`);
  const ha2 = qop === 'auth-int'
    ? h(alg.hash, `${i.method}:${i.uri}:${h(alg.hash, i.body ?? Buffer.alloc(0))}`)
    : h(alg.hash, `${i.method}:${i.uri}`);
  return qop === undefined
    ? h(alg.hash, `${ha1}:${i.nonce}:${ha2}`)
    : h(alg.hash, `${ha1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:${qop}:${ha2}`);
}

/** True when `creds.response` is right for `password` and this request (constant-time compare). */
export function verifyDigest(creds: DigestCredentials, password: string, method: string, body?: Buffer): boolean {
  const input: DigestInput = { username: creds.username, realm: creds.realm, password, method, uri: creds.uri, nonce: creds.nonce };
  if (creds.nc !== undefined) input.nc = creds.nc;
  if (creds.cnonce !== undefined) input.cnonce = creds.cnonce;
  if (creds.qop !== undefined) input.qop = creds.qop;
  if (creds.algorithm !== undefined) input.algorithm = creds.algorithm;
  if (body !== undefined) input.body = body;
  const expected = digestResponse(input);
  if (expected === null) return false;
  const got = Buffer.from(creds.response.trim().toLowerCase());
  const want = Buffer.from(expected);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The WWW-Authenticate header of a challenge. */
export function digestChallenge(realm: string, nonce: string, stale = false): string {
  return `Digest realm="${realm}", qop="auth", nonce="${nonce}", algorithm=MD5${stale ? ', stale=true' : ''}`;
}
