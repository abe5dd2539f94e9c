import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ArgusError, BLOB_URL_PATH, BlobUrlSigner, ErrorCode, blobKeyOfPath, createBlobStore, sendError,
  type BlobStore, type ServiceRuntime,
} from '@argus/platform';

/**
 * GET/HEAD /pictures/<key>?exp=<epoch s>&sig=<hmac>: serves a blob (alarm pictures) from the
 * BlobStore to whoever holds a signed URL (Alarm.pictures[].url); no token needed, the signature
 * is the authorisation.
 *   403 FORBIDDEN   missing, malformed or wrong signature
 *   410 (expired)   the URL was genuine but its exp has passed
 *   404 NOT_FOUND   genuine URL, but the blob is gone
 * The signature is checked before the store is touched, so unsigned requests learn nothing.
 *
 * The default BlobStore is the directory <ARGUS_DATA_DIR>/blobs; in scale mode the gateway and
 * the events service must share it (one volume), until an object-storage adapter replaces it.
 */
export function createPictureRoute(runtime: ServiceRuntime, store: BlobStore = createBlobStore(runtime.config)) {
  const signer = BlobUrlSigner.fromConfig(runtime.config);
  const logger = runtime.logger.child({ route: 'pictures' });
  return {
    matches: (url: URL) => url.pathname.startsWith(BLOB_URL_PATH),
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendError(res, new ArgusError(ErrorCode.BAD_USER_INPUT, `use GET ${BLOB_URL_PATH}<key>?exp=…&sig=…`));
      }
      const key = blobKeyOfPath(url.pathname);
      const check = key
        ? signer.verify(key, url.searchParams.get('exp'), url.searchParams.get('sig'))
        : ({ ok: false, reason: 'MALFORMED' } as const);
      if (!check.ok) {
        if (check.reason === 'EXPIRED') {
          const body = JSON.stringify({ error: { code: ErrorCode.FORBIDDEN, reason: 'EXPIRED', message: 'this picture URL has expired; query the alarm again for a fresh one' } });
          res.writeHead(410, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          return void res.end(body);
        }
        return sendError(res, new ArgusError(ErrorCode.FORBIDDEN, 'picture URL signature is missing or invalid; use the url of Alarm.pictures as given', { reason: check.reason }));
      }
      const blob = await store.get(check.key);
      if (!blob) {
        logger.debug({ key: check.key }, 'signed picture not found');
        return sendError(res, new ArgusError(ErrorCode.NOT_FOUND, 'picture not found (not stored yet, or deleted)'));
      }
      const maxAge = Math.max(0, Math.min(3600, check.exp - Math.floor(Date.now() / 1000)));
      res.writeHead(200, {
        'content-type': blob.contentType,
        'content-length': blob.size,
        'cache-control': `private, max-age=${maxAge}`,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : blob.bytes);
    },
  };
}
