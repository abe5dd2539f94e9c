import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * App request signatures as in the China Mobile northbound API §4.3.1:
 * headers appid, msgSeq, timestamp (13-digit epoch ms), signature, where
 * signature = Base64(HMAC-SHA256(secretKey, secretKey + "," + appid + "," + timestamp + "," + uri + "," + md5hex(body))).
 * The document's prose example separates the values with ", "; its Java code with ",". Both are accepted.
 */
export interface SignedRequestHeaders {
  appid: string;
  msgSeq: string;
  timestamp: string;
  signature: string;
}

export function bodyMd5(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

export function stringToSign(secretKey: string, appid: string, timestamp: string, uri: string, body: string | Buffer, separator = ','): string {
  return [secretKey, appid, timestamp, uri, bodyMd5(body)].join(separator);
}

export function signRequest(secretKey: string, appid: string, timestamp: string, uri: string, body: string | Buffer): string {
  return createHmac('sha256', secretKey).update(stringToSign(secretKey, appid, timestamp, uri, body), 'utf8').digest('base64');
}

export function signatureMatches(secretKey: string, h: SignedRequestHeaders, uri: string, body: string | Buffer): boolean {
  let given: Buffer;
  try {
    given = Buffer.from(h.signature, 'base64');
  } catch {
    return false;
  }
  for (const sep of [',', ', ']) {
    const expected = createHmac('sha256', secretKey).update(stringToSign(secretKey, h.appid, h.timestamp, uri, body, sep), 'utf8').digest();
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

/** Reads the four signature headers; null when any is missing. */
export function signedHeadersOf(headers: Record<string, string | string[] | undefined>): SignedRequestHeaders | null {
  const pick = (name: string) => {
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const appid = pick('appid');
  const msgSeq = pick('msgseq');
  const timestamp = pick('timestamp');
  const signature = pick('signature');
  if (!appid && !msgSeq && !signature) return null;
  return { appid: appid ?? '', msgSeq: msgSeq ?? '', timestamp: timestamp ?? '', signature: signature ?? '' };
}
