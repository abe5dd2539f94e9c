import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '@argus/platform';

export enum PlayProtocol {
  RTMP = 'RTMP',
  FLV = 'FLV',
  WS_FLV = 'WS_FLV',
  HLS = 'HLS',
  LL_HLS = 'LL_HLS',
  RTSP = 'RTSP',
  WEBRTC = 'WEBRTC',
  PLAYER = 'PLAYER',
}
registerEnumType(PlayProtocol, {
  name: 'PlayProtocol',
  description: 'How a player pulls a live stream.',
  valuesConfig: {
    RTMP: { description: 'rtmp://…/live/<channel>/<stream>' },
    FLV: { description: 'HTTP-FLV: http(s)://…/live/<channel>/<stream>.flv' },
    WS_FLV: { description: 'FLV over WebSocket: ws(s)://…/live/<channel>/<stream>.flv' },
    HLS: { description: 'http(s)://…/live/<channel>/<stream>/index.m3u8' },
    LL_HLS: { description: 'Low-latency HLS: http(s)://…/live/<channel>/<stream>/ll.m3u8' },
    RTSP: { description: 'rtsp://…/live/<channel>/<stream>' },
    WEBRTC: { description: 'WebRTC via WHEP: POST an SDP offer to http(s)://…/live/<channel>/<stream>/whep' },
    PLAYER: { description: 'The media server\'s player page (iframe-able): http(s)://…/play/<channel>/<stream>; tries WebRTC, then LL-HLS, then HTTP-FLV. Opening the page uses one use of the URL; the page may then fall back and reconnect for 5 minutes without using more' },
  },
});

export enum PlayStream {
  PRIMARY = 'PRIMARY',
  SUB = 'SUB',
}
registerEnumType(PlayStream, {
  name: 'PlayStream',
  description: "Which of the channel's encodings: the main (high resolution) or the sub (low bitrate) stream.",
});

/** Token claim value of a stream. */
export const tokenStreamOf = (s: PlayStream): 'primary' | 'sub' => (s === PlayStream.SUB ? 'sub' : 'primary');

/**
 * One issued play URL. The URL carries a signed token the media server checks on its own;
 * this row is the record of issue and the handle to revoke it.
 */
@ObjectType({ description: 'A play URL that was issued: what, for how long, by which app, and whether it was revoked.' })
@Entity({ tableName: 'play_grants' })
@Index({ properties: ['tenantId', 'channelId', 'id'] })
export class PlayGrant {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('pgr');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 128 })
  channelId!: string;

  @Field(() => PlayProtocol)
  @Enum({ items: () => PlayProtocol, type: 'string' })
  protocol!: PlayProtocol;

  @Field(() => PlayStream)
  @Enum({ items: () => PlayStream, type: 'string' })
  stream: PlayStream = PlayStream.PRIMARY;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'How many times the URL may be opened; 0 = unlimited.' })
  @Property({ type: 'integer' })
  maxUses = 0;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'Set once the grant is revoked; the URL stops working at once.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'App that requested the URL.' })
  @Property({ type: 'string', length: 40, nullable: true })
  createdByApp: string | null = null;
}
