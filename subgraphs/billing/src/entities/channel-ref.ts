import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The billing subgraph's view of Channel (owned by devices): the key only, plus the fields
 * billing adds (`entitlements`, resolved in ChannelBillingResolver).
 */
@ObjectType('Channel')
@Directive('@key(fields: "id")')
export class ChannelRef {
  @Field(() => ID)
  id!: string;
}
