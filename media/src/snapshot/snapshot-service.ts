/**
 * POST /internal/snapshot?path=live/<channelId>/<primary|sub> — service-only (a signed
 * x-argus-context of role SERVICE, as the subgraphs' /internal/ routes): takes a JPEG of the
 * stream's newest keyframe (starting the source on demand), stores it in the blob store under
 * `snapshots/<channelId>/<stream>/<ms>-<rand>.jpg` and answers
 * `{ key, contentType, size, width, height, takenAt, expiresAt }`. The media subgraph turns the key
 * into a signed URL the gateway serves (GET /pictures/<key>?exp=&sig=). A stored snapshot is
 * deleted once `expiresAt` has passed.
 *
 * Refusals are JSON `{ error: { code, message } }`: 403 INTERNAL_ONLY, 400 BAD_REQUEST,
 * 404 STREAM_NOT_FOUND, 503 UNAVAILABLE | CODEC_UNSUPPORTED | SNAPSHOT_FAILED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createBlobStore, INTERNAL_CONTEXT_HEADER, type BlobStore } from '@argus/platform';
import { PlayRefused } from '../access/play-authorizer.js';
import { parseLivePath } from '../access/stream-path.js';
import type { MediaContext } from '../media-server.js';
import { Snapshotter, type SnapshotterOptions } from './snapshotter.js';

export const INTERNAL_SNAPSHOT_PATH = '/internal/snapshot';
/** How long a stored snapshot (and so its URL) lives. */
export const SNAPSHOT_RETENTION_SECONDS = 3600;

export interface SnapshotAnswer {
  key: string;
  contentType: 'image/jpeg';
  size: number;
  width: number;
  height: number;
  takenAt: string;
  expiresAt: string;
}

export interface SnapshotServiceOptions extends SnapshotterOptions {
  store?: BlobStore;
  retentionSeconds?: number;
}

export class SnapshotService {
  private readonly snapshotter: Snapshotter;
  private readonly store: BlobStore;
  private readonly retentionMs: number;
  /** Stored snapshots not yet deleted, by key → expiry (ms). */
  private readonly stored = new Map<string, number>();
  /** The newest answer per stream path and JPEG, so callers of one keyframe share one blob. */
  private readonly lastAnswer = new Map<string, { jpeg: Buffer; answer: SnapshotAnswer }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ctx: MediaContext, o: SnapshotServiceOptions = {}) {
    this.snapshotter = new Snapshotter(o);
    this.store = o.store ?? createBlobStore(ctx.runtime.config);
    this.retentionMs = (o.retentionSeconds ?? SNAPSHOT_RETENTION_SECONDS) * 1000;
    this.sweeper = setInterval(() => void this.sweep(), Math.min(60_000, this.retentionMs / 4));
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** Handles INTERNAL_SNAPSHOT_PATH. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const caller = this.ctx.runtime.signer.verify(req.headers[INTERNAL_CONTEXT_HEADER] as string | undefined);
    if (!caller || caller.role !== 'SERVICE') return json(res, 403, { error: { code: 'INTERNAL_ONLY', message: `${url.pathname} is for Argus services only` } });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return json(res, 405, { error: { code: 'BAD_REQUEST', message: `use POST ${INTERNAL_SNAPSHOT_PATH}?path=live/<channelId>/<primary|sub>` } });
    }
    const live = parseLivePath(url.searchParams.get('path') ?? '');
    if (!live || live.rest !== '') {
      return json(res, 400, { error: { code: 'BAD_REQUEST', message: 'path must be live/<channelId>/<primary|sub>' } });
    }
    const stream = await this.ctx.openStream(live);
    const image = await this.snapshotter.take(stream);
    const previous = this.lastAnswer.get(live.path);
    if (previous && previous.jpeg === image.jpeg && Date.parse(previous.answer.expiresAt) - Date.now() > this.retentionMs / 2) {
      return json(res, 200, previous.answer);
    }
    const key = `snapshots/${safeSegment(live.channelId)}/${live.stream}/${image.takenAt.getTime()}-${randomBytes(4).toString('hex')}.jpg`;
    try {
      await this.store.put(key, image.jpeg, 'image/jpeg');
    } catch (err) {
      this.ctx.logger.error({ err, key }, 'storing a snapshot failed');
      throw new PlayRefused(503, 'UNAVAILABLE', 'the snapshot could not be stored');
    }
    const expiresAt = Date.now() + this.retentionMs;
    this.stored.set(key, expiresAt);
    const answer: SnapshotAnswer = {
      key, contentType: 'image/jpeg', size: image.jpeg.length, width: image.width, height: image.height,
      takenAt: image.takenAt.toISOString(), expiresAt: new Date(expiresAt).toISOString(),
    };
    this.lastAnswer.set(live.path, { jpeg: image.jpeg, answer });
    json(res, 200, answer);
  }

  /** Deletes the snapshots whose time is up. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [key, until] of [...this.stored]) {
      if (until > now) continue;
      this.stored.delete(key);
      await this.store.delete(key).catch((err) => this.ctx.logger.warn({ err, key }, 'deleting an expired snapshot failed'));
    }
    for (const [path, last] of [...this.lastAnswer]) if (Date.parse(last.answer.expiresAt) <= now) this.lastAnswer.delete(path);
  }
}

/** Channel ids may hold "~", which blob keys do not allow. */
function safeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
