import { Ctx, Field, Float, ID, Int, ObjectType, Query, Resolver, FieldResolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgusError, ErrorCode, requireTenant } from '@argus/platform';
import { ChannelRef } from '../entities/channel-ref.js';
import type { MediaContext } from '../context.js';

@ObjectType({ description: 'A stream live on a media node now.' })
export class LiveStream {
  @Field(() => String, { description: 'Path on the media node, live/<channelId>/<primary|sub>.' }) path!: string;
  @Field(() => ID) nodeId!: string;
  @Field(() => ID, { nullable: true }) channelId!: string | null;
  @Field(() => String, { nullable: true, description: 'primary or sub.' }) stream!: string | null;
  @Field(() => String, { description: 'How the source arrives: RTMP, RTSP, RTSP_PULL, WEBRTC, …' }) publisher!: string;
  @Field(() => String, { nullable: true }) videoCodec!: string | null;
  @Field(() => String, { nullable: true }) audioCodec!: string | null;
  @Field(() => Int, { nullable: true }) width!: number | null;
  @Field(() => Int, { nullable: true }) height!: number | null;
  @Field(() => Int) bitrateInKbps!: number;
  @Field(() => Int) readers!: number;
  @Field(() => GraphQLJSONObject, { description: 'Readers per protocol, e.g. {"FLV": 3, "HLS": 10}.' }) readersByProtocol!: Record<string, number>;
  @Field(() => Float) bytesIn!: number;
  @Field(() => Float) bytesOut!: number;
  @Field(() => Int, { description: 'Frames dropped for slow readers.' }) droppedFrames!: number;
  @Field(() => Int) uptimeSeconds!: number;
}

@ObjectType({ description: 'A media server node and its load.' })
export class MediaNode {
  @Field(() => ID) id!: string;
  @Field(() => String) httpUrl!: string;
  @Field(() => String) rtmpUrl!: string;
  @Field(() => String) rtspUrl!: string;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Date) lastSeenAt!: Date;
  @Field(() => Int) streams!: number;
  @Field(() => Int) readers!: number;
  @Field(() => Int) bitrateInKbps!: number;
  @Field(() => Int) cpuPercent!: number;
  @Field(() => Int) rssMiB!: number;
}

@Resolver(() => LiveStream)
export class StreamResolver {
  @Query(() => [LiveStream], { description: "Streams of the caller's tenant live on any media node now, with their statistics." })
  async streams(@Ctx() ctx: MediaContext): Promise<LiveStream[]> {
    requireTenant(ctx.caller);
    const out: LiveStream[] = [];
    for (const node of ctx.nodes.live()) {
      for (const s of node.streams) {
        if (!s.channelId || !(await ctx.channels.lookup(ctx.caller, s.channelId))) continue;
        out.push({
          path: s.path, nodeId: node.nodeId, channelId: s.channelId, stream: s.stream, publisher: s.publisher,
          videoCodec: s.video, audioCodec: s.audio, width: s.width, height: s.height, bitrateInKbps: s.bitrateInKbps,
          readers: s.readers, readersByProtocol: s.readersByProtocol, bytesIn: s.bytesIn, bytesOut: s.bytesOut,
          droppedFrames: s.droppedFrames, uptimeSeconds: s.uptimeSeconds,
        });
      }
    }
    return out;
  }

  @FieldResolver(() => ChannelRef, { nullable: true })
  channel(@Root() s: LiveStream): ChannelRef | null {
    return s.channelId ? { id: s.channelId } : null;
  }

  @Query(() => [MediaNode], { description: 'Media nodes heard from in the last 15 s, least loaded first. Admin only.' })
  mediaNodes(@Ctx() ctx: MediaContext): MediaNode[] {
    if (ctx.caller.role !== 'ADMIN') throw new ArgusError(ErrorCode.FORBIDDEN, 'media nodes are visible to the admin app only');
    return ctx.nodes.live().map((n) => ({
      id: n.nodeId,
      httpUrl: n.endpoints.http,
      rtmpUrl: n.endpoints.rtmp,
      rtspUrl: n.endpoints.rtsp,
      startedAt: new Date(n.startedAt),
      lastSeenAt: ctx.nodes.lastSeen(n.nodeId) ?? new Date(),
      ...n.load,
    }));
  }
}
