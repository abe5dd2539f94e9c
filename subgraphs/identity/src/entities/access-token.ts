import { Entity, PrimaryKey, Property, Index } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An issued access token (its secret value is shown only once, when issued).' })
@Entity({ tableName: 'access_tokens' })
@Index({ properties: ['appId', 'issuedAt'] })
export class AccessToken {
  @Field(() => ID, { description: 'Token id (jti); use it to revoke.' })
  @PrimaryKey({ type: 'string', length: 40 })
  id!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 40 })
  appId!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 40, nullable: true })
  tenantId: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  issuedAt!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
