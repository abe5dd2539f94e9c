import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The media subgraph's view of Channel (owned by devices): the key only, plus the fields
 * media adds (`live`, resolved in ChannelMediaResolver).
 */
@ObjectType('Channel')
@Directive('@key(fields: "id")')
export class ChannelRef {
  @Field(() => ID)
  id!: string;
}
