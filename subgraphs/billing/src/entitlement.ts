import { Field, ID, ObjectType } from 'type-graphql';
import { ResourceType } from './enums.js';

@ObjectType({ description: 'A resource a channel is entitled to through a bound package.' })
export class Entitlement {
  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => ID)
  packageId!: string;

  @Field(() => Date, { description: 'When the channel was bound to the package.' })
  boundAt!: Date;

  @Field(() => Date, { nullable: true, description: "The package's end; null for ON_DEMAND packages." })
  expiresAt!: Date | null;

  @Field(() => Boolean, { description: 'False once the package has expired (the binding stays until unbound).' })
  active!: boolean;
}
