import { Cursor, type EntityManager, type MikroORM } from '@mikro-orm/core';
import {
  ArgusError, ErrorCode, checkPageArgs, requireTenant,
  type Bus, type CallerContext, type ChannelDirectory, type ConnectionShape, type EntitlementChecker, type Logger, type PlayTokenCodec,
  connectionFromCursor, publishKeyFor } from '@argus/platform';
import { PlayGrant, PlayProtocol, PlayStream, tokenStreamOf } from './entities/play-grant.js';
import type { MediaNodeRegistry } from './node-registry.js';
import { buildPlayUrl, checkLiveArgs, type MediaEndpoints } from './play-rules.js';

/** Published when a grant is revoked, so media servers refuse its token at once: { grantId, tenantId, channelId }. */
export const GRANT_REVOKED_SUBJECT = 'media.grant.revoked';
/** Work-queue groups revoking the grants of deleted channels: one per subject (a JetStream durable consumer filters one subject). */
export const GRANTS_GROUPS = { deviceDeleted: 'media-grants-device-deleted', channelDeleted: 'media-grants-channel-deleted' } as const;
export const DEFAULT_PAGE_SIZE = 50;

export interface GrantRevokedEvent {
  grantId: string;
  tenantId: string;
  channelId: string;
}

export interface LiveArgs {
  protocol: PlayProtocol;
  stream: PlayStream;
  expiresIn: number;
  useTimes: number;
}

export interface IssuedPlayUrl {
  url: string;
  protocol: PlayProtocol;
  stream: PlayStream;
  expiresAt: Date;
  grantId: string;
}

/**
 * The media control plane: issues play URLs (a stored grant + a signed token the media server
 * checks without a database), lists and revokes grants.
 */
export class MediaService {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly directory: ChannelDirectory,
    private readonly codec: PlayTokenCodec,
    private readonly endpoints: MediaEndpoints,
    private readonly logger: Logger,
    private readonly publishKey: Buffer,
    private readonly nodes?: MediaNodeRegistry,
    /** Billing's say: publish and play URLs need MANAGE; talk needs TALK (`entitlements.require(tenantId, channelId, 'TALK')`). */
    readonly entitlements?: Pick<EntitlementChecker, 'require'>,
  ) {}

  em(): EntityManager {
    return this.orm.em.fork();
  }

  /** Revokes the live grants of channels that devices deleted (idempotent: redelivery finds nothing left). */
  async start(): Promise<void> {
    await this.bus.subscribe<{ tenantId: string; channelIds?: string[] }>(
      'device.deleted',
      async (e) => void (await this.revokeForChannels(e.data.tenantId, e.data.channelIds ?? [])),
      { group: GRANTS_GROUPS.deviceDeleted },
    );
    await this.bus.subscribe<{ tenantId: string; channelId: string }>(
      'channel.deleted',
      async (e) => void (await this.revokeForChannels(e.data.tenantId, [e.data.channelId])),
      { group: GRANTS_GROUPS.channelDeleted },
    );
  }

  /**
   * Channel.publishUrl: where an encoder or camera pushes this channel's stream (RTMP or RTSP
   * ANNOUNCE/RECORD), with the publish key bound to the stream's path.
   */
  async publishUrl(caller: CallerContext, channelId: string, protocol: 'RTMP' | 'RTSP', stream: PlayStream): Promise<string> {
    const tenantId = requireTenant(caller);
    const channel = await this.directory.require(caller, channelId);
    if (channel.tenantId !== tenantId) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    await this.entitlements?.require(tenantId, channelId, 'MANAGE');
    const path = `live/${channelId}/${tokenStreamOf(stream)}`;
    const node = this.nodes?.pick(path) ?? this.endpoints;
    const base = protocol === 'RTMP' ? node.rtmp : node.rtsp;
    return `${base}/${path}?key=${encodeURIComponent(publishKeyFor(this.publishKey, path))}`;
  }

  /** Channel.live: checks the channel, stores a grant, returns the signed URL. */
  async issuePlayUrl(caller: CallerContext, channelId: string, args: LiveArgs): Promise<IssuedPlayUrl> {
    const tenantId = requireTenant(caller);
    checkLiveArgs(args);
    if (!Object.values(PlayProtocol).includes(args.protocol)) {
      throw new ArgusError(ErrorCode.BAD_USER_INPUT, `protocol must be one of ${Object.values(PlayProtocol).join(', ')}`, { field: 'protocol' });
    }
    const channel = await this.directory.require(caller, channelId);
    if (channel.tenantId !== tenantId) {
      throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    }
    await this.entitlements?.require(tenantId, channelId, 'MANAGE');
    const exp = Math.floor(Date.now() / 1000) + args.expiresIn;
    const em = this.em();
    const grant = em.create(PlayGrant, {
      tenantId,
      channelId,
      protocol: args.protocol,
      stream: args.stream,
      expiresAt: new Date(exp * 1000),
      maxUses: args.useTimes,
      createdByApp: caller.appId,
    } as PlayGrant);
    await em.flush();
    const token = this.codec.sign({
      grantId: grant.id,
      tenantId,
      channelId,
      stream: tokenStreamOf(args.stream),
      protocol: args.protocol,
      exp,
      maxUses: args.useTimes,
    });
    return {
      // the node already serving this stream, else the least loaded one, else the configured address
      url: buildPlayUrl(
        this.nodes?.pick(`live/${channelId}/${tokenStreamOf(args.stream)}`) ?? this.endpoints,
        channelId, tokenStreamOf(args.stream), args.protocol, token,
      ),
      protocol: args.protocol,
      stream: args.stream,
      expiresAt: grant.expiresAt,
      grantId: grant.id,
    };
  }

  /** Revokes a grant of the caller's tenant; NOT_FOUND for unknown ids and other tenants' grants. */
  async revoke(caller: CallerContext, grantId: string): Promise<PlayGrant> {
    const tenantId = requireTenant(caller);
    const em = this.em();
    const grant = await em.findOne(PlayGrant, { id: grantId, tenantId });
    if (!grant) throw new ArgusError(ErrorCode.NOT_FOUND, `play grant ${grantId} does not exist`, { field: 'grantId' });
    if (grant.revokedAt) return grant;
    await this.revokeGrant(em, grant);
    return grant;
  }

  /** Grants of one channel, newest first. */
  async grants(
    caller: CallerContext,
    channelId: string,
    page: { first?: number | null; after?: string | null },
  ): Promise<ConnectionShape<PlayGrant>> {
    const tenantId = requireTenant(caller);
    checkPageArgs(page);
    if (page.after != null && !isCursor(page.after)) {
      throw new ArgusError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor of this connection', { field: 'after' });
    }
    const channel = await this.directory.require(caller, channelId);
    if (channel.tenantId !== tenantId) {
      throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${channelId} does not exist`, { field: 'channelId' });
    }
    const cursor = await this.em().findByCursor(
      PlayGrant,
      { tenantId, channelId },
      { first: page.first ?? DEFAULT_PAGE_SIZE, after: page.after ?? undefined, orderBy: { id: 'desc' }, includeCount: true },
    );
    return connectionFromCursor(cursor);
  }

  async revokeForChannels(tenantId: string, channelIds: string[]): Promise<number> {
    if (!channelIds.length) return 0;
    const em = this.em();
    const live = await em.find(PlayGrant, {
      tenantId,
      channelId: { $in: channelIds },
      revokedAt: null,
      expiresAt: { $gt: new Date() },
    });
    let n = 0;
    for (const grant of live) if (await this.revokeGrant(em, grant)) n++;
    if (n) this.logger.info({ tenantId, channelIds, grants: n }, 'revoked play grants of deleted channels');
    return n;
  }

  /** Marks the grant revoked unless someone else just did, and tells the media servers. */
  private async revokeGrant(em: EntityManager, grant: PlayGrant): Promise<boolean> {
    const now = new Date();
    const changed = await em.nativeUpdate(PlayGrant, { id: grant.id, revokedAt: null }, { revokedAt: now });
    if (changed === 0) {
      await em.refresh(grant);
      return false;
    }
    grant.revokedAt = now;
    await this.bus.publish<GrantRevokedEvent>(GRANT_REVOKED_SUBJECT, { grantId: grant.id, tenantId: grant.tenantId, channelId: grant.channelId });
    return true;
  }
}

/** Cursors of this connection encode [id]. */
function isCursor(value: string): boolean {
  try {
    const v = Cursor.decode(value);
    return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string';
  } catch {
    return false;
  }
}
