import { Entity, PrimaryKey, Property, Enum, Index } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { newId } from '@argus/platform';

export enum AppRole {
  /** The system app: creates tenants and apps, may act inside any tenant. */
  ADMIN = 'ADMIN',
  /** An app of one tenant. */
  TENANT = 'TENANT',
}
registerEnumType(AppRole, { name: 'AppRole' });

/**
 * An application credential: access key (public id) and secret key. The secret is kept
 * sealed with the master key (it must be recoverable to check HMAC request signatures),
 * so a database dump alone does not reveal it.
 */
@ObjectType({ description: 'An application credential (access key / secret key pair) of a tenant.' })
@Entity({ tableName: 'apps' })
export class App {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('app');

  @Field(() => String, { nullable: true, description: 'Owning tenant; null for the system admin app.' })
  @Index()
  @Property({ type: 'string', length: 40, nullable: true })
  tenantId: string | null = null;

  @Field(() => String)
  @Property({ type: 'string', length: 128 })
  name!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 64, unique: true })
  accessKey!: string;

  @Property({ type: 'text', lazy: false })
  secretSealed!: string;

  @Field(() => AppRole)
  @Enum({ items: () => AppRole, type: 'string' })
  role: AppRole = AppRole.TENANT;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  disabledAt: Date | null = null;
}
