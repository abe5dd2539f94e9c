import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { PlayStream } from '../entities/play-grant.js';
import type { MediaContext } from '../context.js';

@ObjectType({ description: "A JPEG of a live stream's newest keyframe." })
export class Snapshot {
  @Field(() => String, { description: 'Signed URL of the JPEG; no token needed, it stops working at expiresAt.' })
  url!: string;

  @Field(() => Date)
  takenAt!: Date;

  @Field(() => Date, { description: 'The URL (and the stored picture) is gone after this.' })
  expiresAt!: Date;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field(() => Int, { description: 'Bytes of the JPEG.' })
  size!: number;
}

@Resolver(() => Snapshot)
export class SnapshotResolver {
  @Mutation(() => Snapshot, {
    description:
      "Takes a JPEG of the channel's live stream (its newest keyframe), starting the camera's stream on demand when nobody watches it. " +
      'UNAVAILABLE (extensions.reason STREAM_NOT_FOUND, CODEC_UNSUPPORTED, SNAPSHOT_FAILED, …) when no picture can be had.',
  })
  snapshot(
    @Ctx() ctx: MediaContext,
    @Arg('channelId', () => ID) channelId: string,
    @Arg('stream', () => PlayStream, { defaultValue: PlayStream.PRIMARY }) stream: PlayStream,
  ): Promise<Snapshot> {
    return ctx.snapshots.take(ctx.caller, channelId, stream);
  }
}
