import {
  ArgusError, ErrorCode, INTERNAL_CONTEXT_HEADER, requireTenant, signedBlobPath, publicBaseUrl, BLOB_URL_KEY_PURPOSE, isBlobKey,
  type CallerContext, type ChannelDirectory, type InternalContextSigner, type Logger, type MediaNodeEndpoints,
} from '@argus/platform';
import { tokenStreamOf, type PlayStream } from './entities/play-grant.js';
import type { MediaNodeRegistry } from './node-registry.js';

/** What a media node answers on POST /internal/snapshot (media/src/snapshot/snapshot-service.ts). */
interface NodeSnapshotAnswer {
  key: string;
  size: number;
  width: number;
  height: number;
  takenAt: string;
  expiresAt: string;
}

export interface TakenSnapshot {
  url: string;
  takenAt: Date;
  expiresAt: Date;
  width: number;
  height: number;
  size: number;
}

/** How long the subgraph waits for a node (on-demand start of the source included). */
export const SNAPSHOT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The snapshot mutation: asks the media node serving the stream (else the least loaded one,
 * which starts the source on demand) for a JPEG of the newest keyframe, over the node's
 * service-only POST /internal/snapshot. The node stores the picture in the blob store; the
 * caller gets a signed, expiring URL the gateway serves (GET /pictures/<key>?exp=&sig=).
 */
export class SnapshotTaker {
  private readonly blobSecret: Buffer;
  private readonly publicBase: string;

  constructor(
    private readonly directory: ChannelDirectory,
    private readonly nodes: MediaNodeRegistry,
    private readonly endpoints: MediaNodeEndpoints,
    private readonly signer: InternalContextSigner,
    config: { deriveKey(purpose: string): Buffer; GATEWAY_PUBLIC_URL?: string | undefined; GATEWAY_PORT: number },
    private readonly logger: Logger,
  ) {
    this.blobSecret = config.deriveKey(BLOB_URL_KEY_PURPOSE);
    this.publicBase = publicBaseUrl(config);
  }

  async take(caller: CallerContext, channelId: string, stream: PlayStream): Promise<TakenSnapshot> {
    const tenantId = requireTenant(caller);
    const channel = await this.directory.require(caller, channelId);
    if (channel.tenantId !== tenantId) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    const path = `live/${channelId}/${tokenStreamOf(stream)}`;
    const node = this.nodes.pick(path) ?? this.endpoints;
    const target = `${node.http}/internal/snapshot?path=${encodeURIComponent(path)}`;
    let res: Response;
    try {
      res = await fetch(target, {
        method: 'POST',
        headers: { [INTERNAL_CONTEXT_HEADER]: this.signer.sign({ tenantId, appId: caller.appId, role: 'SERVICE' }) },
        signal: AbortSignal.timeout(SNAPSHOT_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      this.logger.warn({ err, target }, 'media node unreachable for a snapshot');
      throw new ArgusError(ErrorCode.UNAVAILABLE, `no media node answered for ${path}; try again`, { reason: 'MEDIA_NODE_UNREACHABLE' });
    }
    const body = (await res.json().catch(() => null)) as (NodeSnapshotAnswer & { error?: { code?: string; message?: string } }) | null;
    if (!res.ok || !body || !isBlobKey(body.key)) {
      const reason = body?.error?.code ?? `HTTP_${res.status}`;
      const why = body?.error?.message ?? `media node answered HTTP ${res.status}`;
      if (res.status === 404) {
        throw new ArgusError(ErrorCode.UNAVAILABLE, `channel ${channelId} has no live ${tokenStreamOf(stream)} stream and none could be started: ${why}`, { reason: 'STREAM_NOT_FOUND' });
      }
      if (res.ok || res.status >= 500) throw new ArgusError(ErrorCode.UNAVAILABLE, `no snapshot of channel ${channelId}: ${why}`, { reason });
      this.logger.error({ status: res.status, reason, target }, 'media node refused the snapshot request');
      throw new ArgusError(ErrorCode.INTERNAL, 'the media node refused the snapshot request');
    }
    const exp = Math.floor(Date.parse(body.expiresAt) / 1000);
    return {
      url: this.publicBase + signedBlobPath(body.key, exp, this.blobSecret),
      takenAt: new Date(body.takenAt),
      expiresAt: new Date(exp * 1000),
      width: body.width,
      height: body.height,
      size: body.size,
    };
  }
}
