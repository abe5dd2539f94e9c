import { createHmac, timingSafeEqual } from 'node:crypto';
import { isBlobKey } from './blob-store.js';

/**
 * Signed, expiring URLs for blobs, served by the gateway at `GET /pictures/<key>?exp=&sig=`.
 *
 *   exp = expiry, epoch seconds
 *   sig = base64url(HMAC-SHA256(key, "blob1|" + <blob key> + "|" + exp))
 *
 * The HMAC key is `config.deriveKey(BLOB_URL_KEY_PURPOSE)`, so any process sharing the master key
 * (events signs, the gateway verifies) agrees without a database.
 */
export const BLOB_URL_KEY_PURPOSE = 'blob-urls';
/** Path prefix the gateway serves blobs under. */
export const BLOB_URL_PATH = '/pictures/';
export const DEFAULT_BLOB_URL_TTL_SECONDS = 3600;
export const MAX_BLOB_URL_TTL_SECONDS = 7 * 86400;

function mac(secret: Buffer, key: string, exp: number): string {
  return createHmac('sha256', secret).update(`blob1|${key}|${exp}`).digest('base64url');
}

function checkSecret(secret: Buffer): void {
  if (!Buffer.isBuffer(secret) || secret.length < 32) throw new Error('blob URL key must be at least 32 bytes');
}

/** The path and query of a signed blob URL: `/pictures/<key>?exp=…&sig=…`. */
export function signedBlobPath(key: string, exp: number, secret: Buffer): string {
  checkSecret(secret);
  if (!isBlobKey(key)) throw new Error(`invalid blob key: ${key}`);
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${BLOB_URL_PATH}${path}?exp=${exp}&sig=${mac(secret, key, exp)}`;
}

/**
 * A URL under `publicBase` (e.g. `https://argus.example.com`) that serves blob `key` until
 * `expiresInSeconds` from `now` (epoch ms).
 */
export function signedBlobUrl(publicBase: string, key: string, expiresInSeconds: number, secret: Buffer, now = Date.now()): string {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_BLOB_URL_TTL_SECONDS) {
    throw new Error(`expiresInSeconds must be an integer from 1 to ${MAX_BLOB_URL_TTL_SECONDS}`);
  }
  const exp = Math.floor(now / 1000) + expiresInSeconds;
  return publicBase.replace(/\/+$/, '') + signedBlobPath(key, exp, secret);
}

export type BlobSignatureCheck =
  | { ok: true; key: string; exp: number }
  | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED' };

/**
 * Checks a blob URL's key, `exp` and `sig` (as received, `exp` still a string). The signature is
 * checked before the expiry, so an expired URL is only reported EXPIRED when it was genuine.
 */
export function verifyBlobSignature(key: string, exp: string | null, sig: string | null, secret: Buffer, now = Date.now()): BlobSignatureCheck {
  checkSecret(secret);
  if (!isBlobKey(key) || !exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return { ok: false, reason: 'MALFORMED' };
  const expNum = Number(exp);
  const expected = Buffer.from(mac(secret, key, expNum));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'BAD_SIGNATURE' };
  if (expNum * 1000 <= now) return { ok: false, reason: 'EXPIRED' };
  return { ok: true, key, exp: expNum };
}

/**
 * Decodes the blob key of a request path under BLOB_URL_PATH (`/pictures/a/b.jpg` → `a/b.jpg`),
 * or null when the path is not one.
 */
export function blobKeyOfPath(pathname: string): string | null {
  if (!pathname.startsWith(BLOB_URL_PATH)) return null;
  try {
    const key = pathname.slice(BLOB_URL_PATH.length).split('/').map(decodeURIComponent).join('/');
    return isBlobKey(key) ? key : null;
  } catch {
    return null;
  }
}

/**
 * The public origin of the gateway, for URLs handed to clients: GATEWAY_PUBLIC_URL without its
 * trailing `/graphql`, else `http://127.0.0.1:<GATEWAY_PORT>`.
 */
export function publicBaseUrl(config: { GATEWAY_PUBLIC_URL?: string | undefined; GATEWAY_PORT: number }): string {
  const configured = config.GATEWAY_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '').replace(/\/graphql$/, '').replace(/\/+$/, '');
  return `http://127.0.0.1:${config.GATEWAY_PORT}`;
}

/** Signs blob URLs with one key and public base (what a service holds). */
export class BlobUrlSigner {
  constructor(
    private readonly secret: Buffer,
    readonly publicBase: string,
  ) {
    checkSecret(secret);
  }

  static fromConfig(config: { deriveKey(purpose: string): Buffer; GATEWAY_PUBLIC_URL?: string | undefined; GATEWAY_PORT: number }): BlobUrlSigner {
    return new BlobUrlSigner(config.deriveKey(BLOB_URL_KEY_PURPOSE), publicBaseUrl(config));
  }

  url(key: string, expiresInSeconds = DEFAULT_BLOB_URL_TTL_SECONDS, now = Date.now()): string {
    return signedBlobUrl(this.publicBase, key, expiresInSeconds, this.secret, now);
  }

  verify(key: string, exp: string | null, sig: string | null, now = Date.now()): BlobSignatureCheck {
    return verifyBlobSignature(key, exp, sig, this.secret, now);
  }
}
