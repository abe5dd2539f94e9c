import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { newId } from '@argus/platform';

/**
 * A node of the tenant's group tree. `path` is the materialised path of ids from the root down
 * to this group ("/grp_a/grp_b/"), so a subtree is one prefix match.
 */
@ObjectType('DeviceGroup', { description: 'A group of devices; groups form a tree per tenant.' })
@Directive('@key(fields: "id")')
@Entity({ tableName: 'device_groups' })
@Unique({ properties: ['tenantId', 'parentKey', 'name'], name: 'device_groups_sibling_name_unique' })
@Index({ properties: ['tenantId', 'path'], name: 'device_groups_tenant_path_idx' })
export class DeviceGroup {
  @Field(() => ID)
  @PrimaryKey({ type: 'string', length: 40 })
  id: string = newId('grp');

  @Field(() => ID)
  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Field(() => ID, { nullable: true, description: 'Parent group; null for a root group.' })
  @Property({ type: 'string', length: 40, nullable: true })
  parentId: string | null = null;

  /** parentId, or '' for a root: makes (tenant, parent, name) unique for roots too (NULLs never collide). */
  @Property({ type: 'string', length: 40 })
  parentKey: string = '';

  @Field(() => String, { description: 'Unique among the group\'s siblings.' })
  @Property({ type: 'string', length: 128 })
  name!: string;

  @Field(() => String, { description: 'Materialised path of group ids from the root, e.g. "/grp_a/grp_b/".' })
  @Property({ type: 'string', length: 1024 })
  path!: string;

  @Field(() => Int, { description: 'Nesting depth; 0 for a root group.' })
  @Property({ type: 'integer' })
  depth: number = 0;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
