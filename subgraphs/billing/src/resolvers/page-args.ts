import { ArgsType, Field, Int } from 'type-graphql';
import type { PageArgs } from '@argus/platform';

@ArgsType()
export class PageArgsType implements PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 – 500 (default 50).' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

export const pageOfArgs = (a: PageArgsType): PageArgs => ({ first: a.first, after: a.after, last: a.last, before: a.before });
