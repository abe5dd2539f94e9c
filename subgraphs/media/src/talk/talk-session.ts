import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '@argus/platform';

export enum TalkTransport {
  RTSP = 'RTSP',
  WEBSOCKET = 'WEBSOCKET',
  WEBRTC = 'WEBRTC',
}
registerEnumType(TalkTransport, {
  name: 'TalkTransport',
  description: 'How the talker reaches Argus.',
  valuesConfig: {
    RTSP: { description: 'RTSP with an ONVIF audio backchannel: rtsp://…/cam/talk/devices?vcuid=…&encodeType=…&bits=16&sampleRate=…&token=… (DESCRIBE with "Require: www.onvif.org/ver20/backchannel").' },
    WEBSOCKET: { description: 'ws(s)://…/talk/ws?vcuid=…&token=…: binary audio frames both ways behind an 8-byte header (type, flags, sequence, timestamp).' },
    WEBRTC: { description: 'POST an SDP offer with send-receive audio to http(s)://…/talk/webrtc?token=… (Opus, PCMU or PCMA).' },
  },
});

export enum TalkCodec {
  L16 = 'L16',
  PCMA = 'PCMA',
  PCMU = 'PCMU',
  AAC = 'AAC',
  OPUS = 'OPUS',
}
registerEnumType(TalkCodec, {
  name: 'TalkCodec',
  description: 'Audio the talker sends and hears (Argus converts to and from what the device speaks).',
  valuesConfig: {
    L16: { description: '16-bit linear PCM, big-endian (encodeType PCM1).' },
    PCMA: { description: 'G.711 A-law, 8 kHz.' },
    PCMU: { description: 'G.711 µ-law, 8 kHz.' },
    AAC: { description: 'AAC-LC (RTP mpeg4-generic; raw frames over WebSocket).' },
    OPUS: { description: 'Opus, 48 kHz.' },
  },
});

export enum TalkStatus {
  ISSUED = 'ISSUED',
  ACTIVE = 'ACTIVE',
  ENDED = 'ENDED',
}
registerEnumType(TalkStatus, {
  name: 'TalkStatus',
  description: 'ISSUED: the URL is out, nobody connected yet; ACTIVE: talking; ENDED: over (or never started).',
});

/**
 * One talk session: the single-use URL issued by startTalk, then the talk itself as the media
 * node reports it (talk.started / talk.ended). `activeChannel` holds the channel id while the
 * session is ISSUED or ACTIVE: a unique index makes "one talker per channel" hold under races.
 */
@ObjectType({ description: 'A two-way talk session with a channel’s device: who, which channel, when and how long.' })
@Entity({ tableName: 'talk_sessions' })
@Index({ properties: ['tenantId', 'channelId', 'id'] })
@Index({ properties: ['tenantId', 'status', 'id'] })
export class TalkSession {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('tlk');

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID)
  @Property({ type: 'string', length: 128 })
  channelId!: string;

  @Property({ type: 'string', length: 128, nullable: true })
  @Unique()
  activeChannel: string | null = null;

  @Field(() => TalkTransport)
  @Enum({ items: () => TalkTransport, type: 'string' })
  transport!: TalkTransport;

  @Field(() => TalkCodec)
  @Enum({ items: () => TalkCodec, type: 'string' })
  codec!: TalkCodec;

  @Field(() => Int)
  @Property({ type: 'integer' })
  sampleRate!: number;

  @Field(() => TalkStatus)
  @Enum({ items: () => TalkStatus, type: 'string' })
  status: TalkStatus = TalkStatus.ISSUED;

  @Field(() => String, { nullable: true, description: 'The app that started the talk (who).' })
  @Property({ type: 'string', length: 40, nullable: true })
  createdByApp: string | null = null;

  @Field(() => Date, { description: 'When startTalk issued the URL.' })
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { description: 'The URL is refused after this (a talk that started goes on).' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the talker connected and the device leg opened.' })
  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  endedAt: Date | null = null;

  /** Talk time as the media node measured it (ms). */
  @Property({ type: 'integer', nullable: true })
  durationMs: number | null = null;

  @Field(() => String, { nullable: true, description: 'Why it ended: talker hung up, stopped, taken over, session timeout, device: …, expired unused.' })
  @Property({ type: 'string', length: 200, nullable: true })
  endReason: string | null = null;

  @Field(() => String, { nullable: true, description: 'The device side, e.g. "ONVIF backchannel PCMU/8000 (…)".' })
  @Property({ type: 'string', length: 300, nullable: true })
  device: string | null = null;

  @Field(() => String, { nullable: true, description: 'The media node that carried the talk.' })
  @Property({ type: 'string', length: 128, nullable: true })
  nodeId: string | null = null;

  @Field(() => Float, { description: 'Talk time in seconds so far (0 before it started).' })
  durationSeconds(): number {
    if (this.durationMs !== null && this.status === TalkStatus.ENDED) return Number(this.durationMs) / 1000;
    if (!this.startedAt) return 0;
    const end = this.endedAt ?? new Date();
    return Math.max(0, end.getTime() - this.startedAt.getTime()) / 1000;
  }
}
