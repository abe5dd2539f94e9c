import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { ArgusError, ErrorCode } from '@argus/platform';
import { Tenant } from '../entities/tenant.js';
import { App } from '../entities/app.js';
import { AccessToken } from '../entities/access-token.js';
import type { IdentityContext } from '../context.js';

@ObjectType({ description: 'A newly created app with its secret key. The secret is shown only here, once.' })
class AppCredentials {
  @Field(() => App) app!: App;
  @Field(() => String) accessKey!: string;
  @Field(() => String) secretKey!: string;
}

@ObjectType({ description: 'An access token. Send it as "Authorization: Bearer <accessToken>".' })
class IssuedAccessToken {
  @Field(() => String) accessToken!: string;
  @Field(() => ID) tokenId!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => Int, { description: 'Seconds until expiry.' }) expiresIn!: number;
}

@ObjectType({ description: 'Who the current credentials belong to.' })
class Viewer {
  @Field(() => String, { nullable: true }) tenantId!: string | null;
  @Field(() => String, { nullable: true }) appId!: string | null;
  @Field(() => String) role!: string;
}

@Resolver()
export class IdentityResolver {
  @Query(() => Viewer, { description: 'The caller, as established from its token or signature.' })
  viewer(@Ctx() ctx: IdentityContext): Viewer {
    return { tenantId: ctx.caller.tenantId, appId: ctx.caller.appId, role: ctx.caller.role };
  }

  @Query(() => [Tenant], { description: 'All tenants for the admin app; the own tenant otherwise.' })
  tenants(@Ctx() ctx: IdentityContext): Promise<Tenant[]> {
    return ctx.identity.tenants(ctx.caller);
  }

  @Query(() => [App])
  apps(@Ctx() ctx: IdentityContext, @Arg('tenantId', () => ID, { nullable: true }) tenantId?: string): Promise<App[]> {
    return ctx.identity.apps(ctx.caller, tenantId ?? null);
  }

  @Query(() => [AccessToken], { description: 'The most recent tokens of an app (values are never shown again).' })
  accessTokens(@Ctx() ctx: IdentityContext, @Arg('appId', () => ID) appId: string): Promise<AccessToken[]> {
    return ctx.identity.tokensOf(ctx.caller, appId);
  }

  @Mutation(() => Tenant, { description: 'Admin only.' })
  createTenant(@Ctx() ctx: IdentityContext, @Arg('name', () => String) name: string): Promise<Tenant> {
    return ctx.identity.createTenant(ctx.caller, name);
  }

  @Mutation(() => AppCredentials, { description: 'Creates an app (AK/SK) in a tenant. The secret key is returned once.' })
  async createApp(
    @Ctx() ctx: IdentityContext,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('name', () => String) name: string,
  ): Promise<AppCredentials> {
    const { app, secretKey } = await ctx.identity.createApp(ctx.caller, tenantId, name);
    return { app, accessKey: app.accessKey, secretKey };
  }

  @Mutation(() => IssuedAccessToken, {
    description: 'Exchanges an access key and secret key for an access token. At most 2 tokens per app are valid; issuing a third revokes the oldest.',
  })
  async issueAccessToken(
    @Arg('accessKey', () => String) accessKey: string,
    @Arg('secretKey', () => String) secretKey: string,
    @Arg('expiresIn', () => Int, { nullable: true, description: 'Lifetime in seconds (60 – 2592000); default from ACCESS_TOKEN_TTL_SECONDS.' }) expiresIn: number | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<IssuedAccessToken> {
    const { token, value } = await ctx.identity.issueToken(accessKey, secretKey, expiresIn ?? undefined);
    return {
      accessToken: value,
      tokenId: token.id,
      expiresAt: token.expiresAt,
      expiresIn: Math.round((token.expiresAt.getTime() - Date.now()) / 1000),
    };
  }

  @Mutation(() => AccessToken, { description: 'Revokes a token by id; it stops working at once on every gateway.' })
  revokeAccessToken(@Ctx() ctx: IdentityContext, @Arg('tokenId', () => ID) tokenId: string): Promise<AccessToken> {
    if (ctx.caller.role === 'ANONYMOUS') throw new ArgusError(ErrorCode.UNAUTHENTICATED, 'authentication required');
    return ctx.identity.revokeToken(ctx.caller, tokenId);
  }
}
