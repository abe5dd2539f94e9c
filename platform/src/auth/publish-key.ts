import { createHmac, timingSafeEqual } from 'node:crypto';

export const PUBLISH_KEY_PURPOSE = 'publish-keys';

/**
 * Publish keys let an encoder or camera push a stream into the media server:
 * key = base64url(HMAC-SHA256(deriveKey('publish-keys'), "<path>")), e.g. for live/<channelId>/primary.
 * A key is bound to one path and works until the master key changes.
 */
export function publishKeyFor(key: Buffer, path: string): string {
  return createHmac('sha256', key).update(path).digest('base64url');
}

export function publishKeyMatches(key: Buffer, path: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(publishKeyFor(key, path));
  const got = Buffer.from(given);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
