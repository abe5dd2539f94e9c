import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver, Root, FieldResolver } from 'type-graphql';
import { Connection, TALK_URL_MAX_SECONDS } from '@argus/platform';
import { ChannelRef } from '../entities/channel-ref.js';
import type { MediaContext } from '../context.js';
import { TalkCodec, TalkSession, TalkTransport } from './talk-session.js';
import { TALK_EXPIRES_MIN } from './talk-service.js';

@ObjectType({ description: 'What startTalk hands out: the session and its single-use talk URL.' })
export class TalkStart {
  @Field(() => TalkSession)
  session!: TalkSession;

  @Field(() => String, { description: 'Open it once, before expiresAt: rtsp:// (RTSP), ws:// or wss:// (WEBSOCKET), http(s):// (WEBRTC, POST an SDP offer).' })
  url!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType('TalkSessionConnection')
export class TalkSessionConnection extends Connection(TalkSession, 'TalkSession') {}

@Resolver(() => TalkSession)
export class TalkResolver {
  @FieldResolver(() => ChannelRef, { description: 'The channel talked to.' })
  channel(@Root() s: TalkSession): ChannelRef {
    return { id: s.channelId };
  }

  @Mutation(() => TalkStart, {
    description:
      'Starts a two-way talk with a channel’s device: a single-use URL for the talker (RTSP ONVIF backchannel, WebSocket or WebRTC). ' +
      'Needs the channel’s TALK entitlement. One talker per channel: CONFLICT while another session holds it, unless force takes it over.',
  })
  startTalk(
    @Ctx() ctx: MediaContext,
    @Arg('channelId', () => ID) channelId: string,
    @Arg('transport', () => TalkTransport) transport: TalkTransport,
    @Arg('codec', () => TalkCodec, { nullable: true, description: 'Default: L16 for RTSP and WEBSOCKET, OPUS for WEBRTC.' }) codec?: TalkCodec | null,
    @Arg('sampleRate', () => Int, { nullable: true, description: 'Default: 8000 (L16, G.711), 16000 (AAC), 48000 (Opus).' }) sampleRate?: number | null,
    @Arg('expiresIn', () => Int, { defaultValue: TALK_URL_MAX_SECONDS, description: `Seconds the URL may wait to be opened (${TALK_EXPIRES_MIN} – ${TALK_URL_MAX_SECONDS}).` }) expiresIn?: number,
    @Arg('force', () => Boolean, { defaultValue: false, description: 'End the channel’s current talk session and take over.' }) force?: boolean,
  ): Promise<TalkStart> {
    return ctx.talk.startTalk(ctx.caller, { channelId, transport, codec: codec ?? null, sampleRate: sampleRate ?? null, expiresIn: expiresIn ?? null, force: force ?? false });
  }

  @Mutation(() => TalkSession, { description: 'Ends a talk session (the talker is cut off; an unused URL stops working). Stopping twice is harmless.' })
  stopTalk(@Ctx() ctx: MediaContext, @Arg('sessionId', () => ID) sessionId: string): Promise<TalkSession> {
    return ctx.talk.stopTalk(ctx.caller, sessionId);
  }

  @Query(() => TalkSessionConnection, { description: 'Talk sessions of the tenant, newest first: who (app), which channel, when, how long, how.' })
  talkSessions(
    @Ctx() ctx: MediaContext,
    @Arg('channelId', () => ID, { nullable: true }) channelId?: string | null,
    @Arg('active', () => Boolean, { nullable: true, description: 'true: ISSUED and ACTIVE only; false: ENDED only.' }) active?: boolean | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 – 500 (default 50).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<TalkSessionConnection> {
    return ctx.talk.sessions(ctx.caller, { channelId: channelId ?? null, active: active ?? null }, { first: first ?? null, after: after ?? null });
  }
}
