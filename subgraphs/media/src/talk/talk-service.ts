/**
 * Talk sessions in the control plane: startTalk issues a single-use talk URL (expiry at most
 * 600 s, cmiot-video-northbound-api.txt §4.5.3) for a channel with the TALK entitlement, one talker
 * per channel (CONFLICT, unless `force` takes the channel over); stopTalk ends a session; the media
 * nodes' talk.started / talk.ended fill in when and how long. A stopped or taken-over session is
 * revoked on the bus (talk.revoked): media nodes end it and refuse its URL.
 */
import { Cursor, UniqueConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/core';
import {
  ArgusError, ErrorCode, TALK_SUBJECTS, TALK_URL_MAX_SECONDS, TALK_SAMPLE_RATES, buildTalkUrl, checkPageArgs, connectionFromCursor, requireTenant, talkRateSupported,
  type Bus, type CallerContext, type ChannelDirectory, type ConnectionShape, type EntitlementChecker, type Logger, type MediaNodeEndpoints,
  type TalkEndedEvent, type TalkRevokedEvent, type TalkStartedEvent, type TalkTokenCodec,
} from '@argus/platform';
import { NODE_STALE_MS, type MediaNodeRegistry } from '../node-registry.js';
import { TalkCodec, TalkSession, TalkStatus, TalkTransport } from './talk-session.js';

/** Work-queue groups of the media subgraph's talk event handlers: one per subject (a JetStream group consumer has one filter). */
export const TALK_GROUP = 'media-talk';
const groupOf = (subject: string) => ({ group: `${TALK_GROUP}-${subject.replace(/\./g, '-')}` });
export const TALK_EXPIRES_MIN = 10;
export const DEFAULT_TALK_PAGE = 50;

/** Codecs each transport carries. */
const TRANSPORT_CODECS: Record<TalkTransport, TalkCodec[]> = {
  RTSP: [TalkCodec.L16, TalkCodec.PCMA, TalkCodec.PCMU, TalkCodec.AAC, TalkCodec.OPUS],
  WEBSOCKET: [TalkCodec.L16, TalkCodec.PCMA, TalkCodec.PCMU, TalkCodec.AAC, TalkCodec.OPUS],
  WEBRTC: [TalkCodec.OPUS, TalkCodec.PCMU, TalkCodec.PCMA],
};
const DEFAULT_CODEC: Record<TalkTransport, TalkCodec> = { RTSP: TalkCodec.L16, WEBSOCKET: TalkCodec.L16, WEBRTC: TalkCodec.OPUS };
const DEFAULT_RATE: Record<TalkCodec, number> = { L16: 8000, PCMA: 8000, PCMU: 8000, AAC: 16000, OPUS: 48000 };

export interface StartTalkArgs {
  channelId: string;
  transport: TalkTransport;
  codec?: TalkCodec | null;
  sampleRate?: number | null;
  expiresIn?: number | null;
  force?: boolean | null;
}

export interface StartedTalk {
  session: TalkSession;
  url: string;
  expiresAt: Date;
}

export class TalkService {
  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly directory: ChannelDirectory,
    private readonly codec: TalkTokenCodec,
    private readonly endpoints: MediaNodeEndpoints,
    private readonly nodes: MediaNodeRegistry,
    private readonly entitlements: Pick<EntitlementChecker, 'require'> | null,
    private readonly logger: Logger,
  ) {}

  em(): EntityManager {
    return this.orm.em.fork();
  }

  async start(): Promise<void> {
    await this.bus.subscribe<TalkStartedEvent>(TALK_SUBJECTS.started, (e) => this.started(e.data), groupOf(TALK_SUBJECTS.started));
    await this.bus.subscribe<TalkEndedEvent>(TALK_SUBJECTS.ended, (e) => this.ended(e.data), groupOf(TALK_SUBJECTS.ended));
    await this.bus.subscribe<{ tenantId: string; channelIds?: string[] }>(
      'device.deleted',
      (e) => this.endForChannels(e.data.tenantId, e.data.channelIds ?? []),
      groupOf('device.deleted'),
    );
    await this.bus.subscribe<{ tenantId: string; channelId: string }>(
      'channel.deleted',
      (e) => this.endForChannels(e.data.tenantId, [e.data.channelId]),
      groupOf('channel.deleted'),
    );
  }

  async startTalk(caller: CallerContext, args: StartTalkArgs): Promise<StartedTalk> {
    const tenantId = requireTenant(caller);
    const { transport, codec, sampleRate, expiresIn, force } = checkArgs(args);
    const channel = await this.directory.require(caller, args.channelId);
    if (channel.tenantId !== tenantId) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${args.channelId} does not exist`, { field: 'channelId' });
    if (this.entitlements) await this.entitlements.require(tenantId, args.channelId, 'TALK');
    const em = this.em();
    const current = await em.findOne(TalkSession, { activeChannel: args.channelId });
    if (current) await this.clearHolder(em, current, force);
    const now = Date.now();
    const session = em.create(TalkSession, {
      tenantId, channelId: args.channelId, activeChannel: args.channelId, transport, codec, sampleRate,
      expiresAt: new Date(now + expiresIn * 1000), createdByApp: caller.appId, createdAt: new Date(now),
    } as TalkSession);
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw busy(args.channelId, null);
      throw err;
    }
    const claims = {
      sessionId: session.id, tenantId, channelId: args.channelId, transport, codec, sampleRate,
      exp: Math.floor(session.expiresAt.getTime() / 1000), iat: now,
    };
    const node = this.nodes.pick(`talk/${args.channelId}`) ?? this.endpoints;
    const url = buildTalkUrl(node, claims, this.codec.sign(claims));
    this.logger.info({ session: session.id, channel: args.channelId, transport, codec, sampleRate, force }, 'talk URL issued');
    return { session, url, expiresAt: session.expiresAt };
  }

  async stopTalk(caller: CallerContext, sessionId: string): Promise<TalkSession> {
    const tenantId = requireTenant(caller);
    const em = this.em();
    const session = await em.findOne(TalkSession, { id: sessionId, tenantId });
    if (!session) throw new ArgusError(ErrorCode.NOT_FOUND, `talk session ${sessionId} does not exist`, { field: 'sessionId' });
    if (session.status === TalkStatus.ENDED) return session;
    await this.end(em, session, 'stopped');
    return session;
  }

  async sessions(
    caller: CallerContext,
    filter: { channelId?: string | null; active?: boolean | null },
    page: { first?: number | null; after?: string | null },
  ): Promise<ConnectionShape<TalkSession>> {
    const tenantId = requireTenant(caller);
    checkPageArgs(page);
    if (page.after != null && !isCursor(page.after)) throw new ArgusError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor of this connection', { field: 'after' });
    const where: Record<string, unknown> = { tenantId };
    if (filter.channelId) {
      const channel = await this.directory.require(caller, filter.channelId);
      if (channel.tenantId !== tenantId) throw new ArgusError(ErrorCode.NOT_FOUND, `channel ${filter.channelId} does not exist`, { field: 'channelId' });
      where.channelId = filter.channelId;
    }
    if (filter.active === true) where.status = { $ne: TalkStatus.ENDED };
    if (filter.active === false) where.status = TalkStatus.ENDED;
    const cursor = await this.em().findByCursor(TalkSession, where, {
      first: page.first ?? DEFAULT_TALK_PAGE, after: page.after ?? undefined, orderBy: { id: 'desc' }, includeCount: true,
    });
    return connectionFromCursor(cursor);
  }

  /** The channel is held by `current`: free it when that session is over in fact, take it over with force, else CONFLICT. */
  private async clearHolder(em: EntityManager, current: TalkSession, force: boolean) {
    if (current.status === TalkStatus.ISSUED && current.expiresAt.getTime() <= Date.now()) return this.end(em, current, 'expired unused');
    const seen = current.nodeId ? this.nodes.lastSeen(current.nodeId) : null;
    if (current.status === TalkStatus.ACTIVE && current.nodeId && (!seen || Date.now() - seen.getTime() > NODE_STALE_MS)) {
      // the node that carried it is gone: nobody will report its end; it ended when the node was last heard of
      await this.end(em, current, 'media node lost', seen ?? new Date());
      await this.publish<TalkEndedEvent>(TALK_SUBJECTS.ended, {
        sessionId: current.id, tenantId: current.tenantId, channelId: current.channelId, nodeId: current.nodeId, transport: current.transport,
        startedAt: current.startedAt?.toISOString() ?? null, endedAt: current.endedAt!.toISOString(),
        durationMs: current.startedAt ? Math.max(0, current.endedAt!.getTime() - current.startedAt.getTime()) : 0, reason: 'media node lost', bytesUp: 0, bytesDown: 0,
      });
      return;
    }
    if (!force) throw busy(current.channelId, current);
    await this.end(em, current, 'taken over');
  }

  /** Marks a session ended (frees its channel) and revokes its URL on the media nodes. */
  private async end(em: EntityManager, s: TalkSession, reason: string, now = new Date()): Promise<void> {
    const changed = await em.nativeUpdate(
      TalkSession,
      { id: s.id, status: { $ne: TalkStatus.ENDED } },
      { status: TalkStatus.ENDED, activeChannel: null, endedAt: now, endReason: reason },
    );
    if (changed === 0) return void (await em.refresh(s));
    Object.assign(s, { status: TalkStatus.ENDED, activeChannel: null, endedAt: now, endReason: reason });
    if (reason !== 'expired unused') {
      await this.publish<TalkRevokedEvent>(TALK_SUBJECTS.revoked, { sessionId: s.id, tenantId: s.tenantId, channelId: s.channelId, reason });
    }
  }

  private async started(e: TalkStartedEvent): Promise<void> {
    await this.em().nativeUpdate(
      TalkSession,
      { id: e.sessionId, status: TalkStatus.ISSUED },
      { status: TalkStatus.ACTIVE, startedAt: new Date(e.startedAt), nodeId: e.nodeId, device: e.device.slice(0, 300) },
    );
  }

  /** The node's account of the session wins for times and duration; a reason set here (stopped, taken over) stays. */
  private async ended(e: TalkEndedEvent): Promise<void> {
    const em = this.em();
    const s = await em.findOne(TalkSession, { id: e.sessionId });
    if (!s) return;
    s.status = TalkStatus.ENDED;
    s.activeChannel = null;
    if (e.startedAt) s.startedAt = new Date(e.startedAt);
    s.endedAt = new Date(e.endedAt);
    s.durationMs = e.durationMs;
    s.endReason ??= e.reason.slice(0, 200);
    if (e.nodeId) s.nodeId = e.nodeId;
    await em.flush();
  }

  private async endForChannels(tenantId: string, channelIds: string[]): Promise<void> {
    if (!channelIds.length) return;
    const em = this.em();
    const live = await em.find(TalkSession, { tenantId, channelId: { $in: channelIds }, status: { $ne: TalkStatus.ENDED } });
    for (const s of live) await this.end(em, s, 'channel deleted');
  }

  private async publish<T>(subject: string, data: T) {
    await this.bus.publish(subject, data);
  }
}

function busy(channelId: string, holder: TalkSession | null): ArgusError {
  return new ArgusError(
    ErrorCode.CONFLICT,
    `channel ${channelId} already has a talker${holder ? ` (talk session ${holder.id}, ${holder.status})` : ''}; stop it, or take over with force: true`,
    { field: 'channelId', ...(holder ? { sessionId: holder.id, status: holder.status } : {}) },
  );
}

function checkArgs(a: StartTalkArgs) {
  const transport = a.transport;
  if (!Object.values(TalkTransport).includes(transport)) throw new ArgusError(ErrorCode.BAD_USER_INPUT, `transport must be one of ${Object.values(TalkTransport).join(', ')}`, { field: 'transport' });
  const codec = a.codec ?? DEFAULT_CODEC[transport];
  if (!TRANSPORT_CODECS[transport].includes(codec)) {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, `${transport} talk carries ${TRANSPORT_CODECS[transport].join(', ')}`, { field: 'codec' });
  }
  const sampleRate = a.sampleRate ?? DEFAULT_RATE[codec];
  if (!talkRateSupported(codec, sampleRate)) {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, `${codec} talk runs at ${TALK_SAMPLE_RATES[codec].join(', ')} Hz`, { field: 'sampleRate' });
  }
  const expiresIn = a.expiresIn ?? TALK_URL_MAX_SECONDS;
  if (!Number.isInteger(expiresIn) || expiresIn < TALK_EXPIRES_MIN || expiresIn > TALK_URL_MAX_SECONDS) {
    throw new ArgusError(ErrorCode.BAD_USER_INPUT, `expiresIn must be between ${TALK_EXPIRES_MIN} and ${TALK_URL_MAX_SECONDS} seconds`, { field: 'expiresIn' });
  }
  return { transport, codec, sampleRate, expiresIn, force: a.force === true };
}

function isCursor(value: string): boolean {
  try {
    const v = Cursor.decode(value);
    return Array.isArray(v) && v.length === 1 && typeof v[0] === 'string';
  } catch {
    return false;
  }
}
