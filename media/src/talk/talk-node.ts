/**
 * The talk sessions of one media node. A transport (RTSP backchannel, WebSocket, WebRTC) checks a
 * talker's token here, then `begin`s the session: the URL's single use is consumed, the channel is
 * taken (one talker per channel; a newer session takes over an older one, an older one is refused),
 * the device leg is opened through the access plane's connector, and `talk.started` goes out.
 * When the leg closes, for whatever reason, `talk.ended` goes out with the talk time (billing
 * meters talk minutes from it). `talk.revoked` from the control plane ends a session at once.
 */
import {
  TALK_SUBJECTS, TalkTokenCodec, talkSessionsActive, talkSessionsEnded,
  type Logger, type TalkEndedEvent, type TalkStartedEvent, type TalkTokenClaims, type TalkTransport,
} from '@argus/platform';
import type { MediaContext } from '../media-server.js';
import { MemoryUseCounter, type UseCounter } from '../access/play-authorizer.js';
import { describeFormat, supportedRate, type AudioFormat } from './audio/audio-converter.js';
import { DeviceTalkLeg } from './device-talk-leg.js';
import { DeviceTalkUnavailable, type DeviceTalkConnector } from './device-talk.js';
import type { TalkCodec, TalkLegProvider } from './talk-leg.js';
import { TalkAuthorizer } from './talk-authorizer.js';
import { TalkRefused } from './talk-refused.js';

/** Reasons a session ends, as transports and events name them. */
export const TALK_END = {
  TAKEN_OVER: 'taken over',
  STOPPED: 'stopped',
  TIMEOUT: 'session timeout',
  HUNG_UP: 'talker hung up',
  SHUTDOWN: 'server shutting down',
} as const;

export interface TalkSessionInfo {
  sessionId: string;
  tenantId: string;
  channelId: string;
  transport: TalkTransport;
  talker: string;
  device: string | null;
  remote: string;
  startedAt: string | null;
  bytesUp: number;
  bytesDown: number;
}

interface Active {
  claims: TalkTokenClaims;
  remote: string;
  leg: DeviceTalkLeg | null;
  startedAt: Date | null;
  /** Set when the session was ended while its device leg was still opening. */
  endedEarly: string | null;
}

export interface TalkNodeOptions {
  connector: DeviceTalkConnector | null;
  uses?: UseCounter;
  codec?: TalkTokenCodec;
  ffmpegPath?: string;
}

export class TalkNode implements TalkLegProvider {
  readonly authorizer: TalkAuthorizer;
  private readonly byChannel = new Map<string, Active>();
  private readonly bySession = new Map<string, Active>();
  private readonly log: Logger;

  constructor(private readonly ctx: MediaContext, private readonly o: TalkNodeOptions) {
    this.authorizer = new TalkAuthorizer(o.codec ?? TalkTokenCodec.fromConfig(ctx.runtime.config), o.uses ?? new MemoryUseCounter());
    this.log = ctx.logger.child({ part: 'talk' });
    this.authorizer.onRevoked((e) => this.end(e.sessionId, e.reason === TALK_END.TAKEN_OVER ? TALK_END.TAKEN_OVER : TALK_END.STOPPED));
  }

  async start(): Promise<void> {
    await this.authorizer.watchRevocations(this.ctx.runtime.bus);
  }

  /** Checks a talker's token for `transport` (does not use it up). */
  check(token: string | null | undefined, transport: TalkTransport): TalkTokenClaims {
    return this.authorizer.check(token, transport);
  }

  /** The talker's format of a session. */
  talkerFormat(claims: Pick<TalkTokenClaims, 'codec' | 'sampleRate'>): AudioFormat {
    return { codec: claims.codec, sampleRate: claims.sampleRate, channels: 1 };
  }

  /** Uses the URL up, then opens the session (see `open`). */
  async begin(claims: TalkTokenClaims, remote: string): Promise<DeviceTalkLeg> {
    await this.authorizer.consume(claims);
    return this.openSession(claims, remote);
  }

  /** TalkLegProvider: opens the leg of a session whose token was checked and used up by the caller. */
  open(request: { sessionId: string; tenantId: string; channelId: string; codec: TalkCodec; sampleRate?: number; transport?: TalkTransport }): Promise<DeviceTalkLeg> {
    const sampleRate = request.sampleRate ?? (request.codec === 'OPUS' ? 48000 : 8000);
    const claims: TalkTokenClaims = {
      sessionId: request.sessionId, tenantId: request.tenantId, channelId: request.channelId, transport: request.transport ?? 'WEBRTC',
      codec: request.codec, sampleRate, exp: Math.floor(Date.now() / 1000) + 60, iat: Date.now(),
    };
    return this.openSession(claims, 'local');
  }

  /** Ends a session (revoked, timed out, hung up); harmless when it is not here. */
  end(sessionId: string, reason: string): void {
    const a = this.bySession.get(sessionId);
    if (!a) return;
    if (a.leg) a.leg.close(reason);
    else a.endedEarly = reason;
  }

  sessions(): TalkSessionInfo[] {
    return [...this.bySession.values()].map((a) => ({
      sessionId: a.claims.sessionId,
      tenantId: a.claims.tenantId,
      channelId: a.claims.channelId,
      transport: a.claims.transport,
      talker: describeFormat(this.talkerFormat(a.claims)),
      device: a.leg?.device.description ?? null,
      remote: a.remote,
      startedAt: a.startedAt?.toISOString() ?? null,
      bytesUp: a.leg?.bytesUp ?? 0,
      bytesDown: a.leg?.bytesDown ?? 0,
    }));
  }

  /** Ends every session (the node is stopping). */
  closeAll(): void {
    for (const id of [...this.bySession.keys()]) this.end(id, TALK_END.SHUTDOWN);
  }

  private async openSession(claims: TalkTokenClaims, remote: string): Promise<DeviceTalkLeg> {
    if (!supportedRate(claims.codec, claims.sampleRate)) {
      throw new TalkRefused(400, 'BAD_FORMAT', `${claims.codec} at ${claims.sampleRate} Hz is not a talk format`);
    }
    if (this.bySession.has(claims.sessionId)) throw new TalkRefused(403, 'TOKEN_USED', 'this talk session is already open');
    const current = this.byChannel.get(claims.channelId);
    if (current) {
      if (current.claims.iat > claims.iat) {
        throw new TalkRefused(409, 'CHANNEL_BUSY', `channel ${claims.channelId} has a newer talk session`);
      }
      this.log.info({ channel: claims.channelId, old: current.claims.sessionId, new: claims.sessionId }, 'talk: session taken over');
      this.end(current.claims.sessionId, TALK_END.TAKEN_OVER);
    }
    const active: Active = { claims, remote, leg: null, startedAt: null, endedEarly: null };
    this.byChannel.set(claims.channelId, active);
    this.bySession.set(claims.sessionId, active);
    const connector = this.o.connector;
    const talker = this.talkerFormat(claims);
    let leg: DeviceTalkLeg;
    try {
      if (!connector) throw new DeviceTalkUnavailable('this media node cannot reach devices for talk');
      const device = await connector.open({ sessionId: claims.sessionId, nodeId: this.ctx.nodeId, tenantId: claims.tenantId, channelId: claims.channelId, preferred: talker });
      leg = new DeviceTalkLeg(claims.sessionId, talker, device, this.log, this.o.ffmpegPath);
    } catch (err) {
      this.forget(active);
      const reason = err instanceof DeviceTalkUnavailable ? `device unavailable: ${err.message}` : 'device leg failed';
      if (!(err instanceof DeviceTalkUnavailable)) this.log.error({ err, session: claims.sessionId }, 'talk: opening the device leg failed');
      this.publishEnded(active, reason, 0, 0);
      throw new TalkRefused(503, 'DEVICE_UNAVAILABLE', reason);
    }
    active.leg = leg;
    leg.onClose((reason) => {
      this.forget(active);
      this.log.info({ session: claims.sessionId, channel: claims.channelId, reason, bytesUp: leg.bytesUp, bytesDown: leg.bytesDown }, 'talk: session ended');
      this.publishEnded(active, reason, leg.bytesUp, leg.bytesDown);
    });
    if (active.endedEarly) {
      leg.close(active.endedEarly);
      throw new TalkRefused(active.endedEarly === TALK_END.TAKEN_OVER ? 409 : 401, 'SESSION_ENDED', `the talk session ended: ${active.endedEarly}`);
    }
    active.startedAt = new Date();
    talkSessionsActive.inc({ transport: claims.transport });
    this.log.info({ session: claims.sessionId, channel: claims.channelId, transport: claims.transport, leg: leg.description, remote }, 'talk: session started');
    const started: TalkStartedEvent = {
      sessionId: claims.sessionId, tenantId: claims.tenantId, channelId: claims.channelId, nodeId: this.ctx.nodeId,
      transport: claims.transport, codec: claims.codec, sampleRate: claims.sampleRate, device: leg.device.description,
      startedAt: active.startedAt.toISOString(),
    };
    this.publish(TALK_SUBJECTS.started, started);
    return leg;
  }

  private forget(a: Active) {
    if (this.bySession.get(a.claims.sessionId) === a) this.bySession.delete(a.claims.sessionId);
    if (this.byChannel.get(a.claims.channelId) === a) this.byChannel.delete(a.claims.channelId);
  }

  private publishEnded(a: Active, reason: string, bytesUp: number, bytesDown: number) {
    if (a.startedAt) talkSessionsActive.dec({ transport: a.claims.transport });
    talkSessionsEnded.inc({ transport: a.claims.transport, started: a.startedAt ? 'yes' : 'no' });
    const endedAt = new Date();
    const ended: TalkEndedEvent = {
      sessionId: a.claims.sessionId, tenantId: a.claims.tenantId, channelId: a.claims.channelId, nodeId: this.ctx.nodeId,
      transport: a.claims.transport, startedAt: a.startedAt?.toISOString() ?? null, endedAt: endedAt.toISOString(),
      durationMs: a.startedAt ? Math.max(0, endedAt.getTime() - a.startedAt.getTime()) : 0,
      reason, bytesUp, bytesDown,
    };
    this.publish(TALK_SUBJECTS.ended, ended);
  }

  private publish(subject: string, data: object) {
    void this.ctx.runtime.bus.publish(subject, data).catch((err) => this.log.warn({ err, subject }, 'talk: bus publish failed'));
  }
}
