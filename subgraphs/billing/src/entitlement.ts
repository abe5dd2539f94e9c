import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CoverageSource, PackageMode, ResourceState, ResourceType } from './enums.js';

@ObjectType({ description: 'A service a channel is open for, and through which resource.' })
export class Entitlement {
  @Field(() => ResourceType)
  resourceType!: ResourceType;

  @Field(() => ID, { description: 'The resource (ResourcePackage) covering the channel.' })
  packageId!: string;

  @Field(() => PackageMode)
  mode!: PackageMode;

  @Field(() => CoverageSource)
  source!: CoverageSource;

  @Field(() => ResourceState)
  state!: ResourceState;

  @Field(() => Int, { nullable: true, description: 'Days recordings are kept (RECORD, MOTION, DATAFLOW).' })
  storageDays!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the channel was bound; null for a DEFAULT service.' })
  boundAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The package's end; null for ON_DEMAND." })
  expiresAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether the channel may use the service now (false when EXPIRED, in ARREARS for ON_DEMAND, or UNAVAILABLE).' })
  active!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it is not active: ENTITLEMENT_MISSING, ACCOUNT_IN_ARREARS or ACCOUNT_SUSPENDED.' })
  refusal!: string | null;
}
