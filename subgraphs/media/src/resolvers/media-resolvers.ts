import { Arg, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { Connection } from '@argus/platform';
import { ChannelRef } from '../entities/channel-ref.js';
import { PlayGrant, PlayProtocol, PlayStream } from '../entities/play-grant.js';
import { EXPIRES_IN_DEFAULT, EXPIRES_IN_MAX, EXPIRES_IN_MIN, USE_TIMES_MAX } from '../play-rules.js';
import type { MediaContext } from '../context.js';

@ObjectType({ description: 'A signed play URL for one channel, stream and protocol.' })
export class PlayUrl {
  @Field(() => String, { description: 'Open this in the player; it carries a signed token (?token=…).' })
  url!: string;

  @Field(() => PlayProtocol)
  protocol!: PlayProtocol;

  @Field(() => PlayStream)
  stream!: PlayStream;

  @Field(() => Date, { description: 'After this the URL is refused (sessions already playing are not cut).' })
  expiresAt!: Date;

  @Field(() => ID, { description: 'Id of the stored grant; pass it to revokePlayUrl.' })
  grantId!: string;
}

@ObjectType('PlayGrantConnection')
export class PlayGrantConnection extends Connection(PlayGrant, 'PlayGrant') {}

@Resolver(() => ChannelRef)
export class ChannelMediaResolver {
  @FieldResolver(() => PlayUrl, {
    description:
      'Issues a play URL for this channel (each call stores a new grant; revoke it with revokePlayUrl). ' +
      'The URL is signed; the media server checks it without asking Argus.',
  })
  live(
    @Root() channel: ChannelRef,
    @Arg('protocol', () => PlayProtocol) protocol: PlayProtocol,
    @Arg('stream', () => PlayStream, { defaultValue: PlayStream.PRIMARY }) stream: PlayStream,
    @Arg('expiresIn', () => Int, {
      defaultValue: EXPIRES_IN_DEFAULT,
      description: `Lifetime of the URL in seconds (${EXPIRES_IN_MIN} – ${EXPIRES_IN_MAX}).`,
    })
    expiresIn: number,
    @Arg('useTimes', () => Int, {
      defaultValue: 0,
      description: `How many times the URL may be opened (0 = unlimited, at most ${USE_TIMES_MAX}).`,
    })
    useTimes: number,
    @Ctx() ctx: MediaContext,
  ): Promise<PlayUrl> {
    return ctx.media.issuePlayUrl(ctx.caller, channel.id, { protocol, stream, expiresIn, useTimes });
  }
}

export enum PublishProtocol {
  RTMP = 'RTMP',
  RTSP = 'RTSP',
}
registerEnumType(PublishProtocol, { name: 'PublishProtocol', description: 'How an encoder or camera pushes a stream into Argus.' });

@Resolver(() => ChannelRef)
export class ChannelPublishResolver {
  @FieldResolver(() => String, {
    description:
      'Where an encoder or camera pushes this channel\'s stream (RTMP publish, or RTSP ANNOUNCE/RECORD). ' +
      'The URL carries a publish key bound to the stream; treat it as a secret.',
  })
  publishUrl(
    @Root() channel: ChannelRef,
    @Arg('protocol', () => PublishProtocol, { defaultValue: PublishProtocol.RTMP }) protocol: PublishProtocol,
    @Arg('stream', () => PlayStream, { defaultValue: PlayStream.PRIMARY }) stream: PlayStream,
    @Ctx() ctx: MediaContext,
  ): Promise<string> {
    return ctx.media.publishUrl(ctx.caller, channel.id, protocol, stream);
  }
}

@Resolver(() => PlayGrant)
export class PlayGrantResolver {
  @FieldResolver(() => ChannelRef, { nullable: true, description: 'The channel; null once it has been deleted.' })
  channel(@Root() grant: PlayGrant): ChannelRef {
    return { id: grant.channelId };
  }

  @Query(() => PlayGrantConnection, { description: 'Play URLs issued for a channel, newest first.' })
  playGrants(
    @Ctx() ctx: MediaContext,
    @Arg('channelId', () => ID) channelId: string,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1 – 500 (default 50).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<PlayGrantConnection> {
    return ctx.media.grants(ctx.caller, channelId, { first, after });
  }

  @Mutation(() => PlayGrant, {
    description: 'Revokes a play URL: media servers refuse its token from now on. Revoking twice is harmless.',
  })
  revokePlayUrl(@Ctx() ctx: MediaContext, @Arg('grantId', () => ID) grantId: string): Promise<PlayGrant> {
    return ctx.media.revoke(ctx.caller, grantId);
  }
}
