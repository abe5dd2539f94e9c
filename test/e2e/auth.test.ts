import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac, hkdfSync } from 'node:crypto';
import WebSocket from 'ws';
import {
  createArgusClient, requestAccessToken, signedRequestHeaders, ArgusClientError,
  ViewerDocument, IssueAccessTokenDocument, RevokeAccessTokenDocument, CreateTenantDocument, CreateAppDocument, TenantsDocument,
} from '@argus/client';
import { MODES, startFixture, type Fixture } from './context.js';

/** Forges a token with this Argus's own key, already expired: what a client holds a day later. */
function expiredToken(masterKey: Buffer, claims: { jti: string; appId: string; tenantId: string | null; role: string }): string {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'argus:access-tokens', 32));
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 })).toString('base64url');
  return `argus1.${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

async function rawGraphql(url: string, headers: Record<string, string>, query: string, bodyOverride?: string) {
  const body = bodyOverride ?? JSON.stringify({ query });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe.each(MODES)('authentication and tenants (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => f?.close());

  it('issues tokens from AK/SK by mutation and by POST /auth/token, and knows the caller', async () => {
    const t = await f.tenant('acme');
    const { viewer } = await t.client.request(ViewerDocument);
    expect(viewer).toMatchObject({ tenantId: t.tenantId, role: 'TENANT' });
    const anon = createArgusClient({ url: f.argus.gatewayUrl });
    const { issueAccessToken } = await anon.request(IssueAccessTokenDocument, { accessKey: t.accessKey, secretKey: t.secretKey, expiresIn: 3600 });
    expect(issueAccessToken.expiresIn).toBeGreaterThan(3590);
    expect(issueAccessToken.expiresIn).toBeLessThanOrEqual(3600);
    await expect(anon.request(IssueAccessTokenDocument, { accessKey: t.accessKey, secretKey: 'wrong-secret' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(requestAccessToken(f.argus.gatewayUrl, t.accessKey, 'nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('refuses anonymous callers everything but issueAccessToken', async () => {
    const anon = createArgusClient({ url: f.argus.gatewayUrl });
    await expect(anon.request(ViewerDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('keeps at most two valid tokens per app: a third revokes the oldest', async () => {
    const t = await f.tenant('tokens');
    // the fixture already holds token #1
    const second = await requestAccessToken(f.argus.gatewayUrl, t.accessKey, t.secretKey);
    const third = await requestAccessToken(f.argus.gatewayUrl, t.accessKey, t.secretKey);
    await expect(t.client.request(ViewerDocument)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
    for (const token of [second.accessToken, third.accessToken]) {
      const c = createArgusClient({ url: f.argus.gatewayUrl, token });
      await expect(c.request(ViewerDocument)).resolves.toMatchObject({ viewer: { tenantId: t.tenantId } });
    }
  });

  it('revokes a token at once, and refuses expired and forged tokens with their own codes', async () => {
    const t = await f.tenant('revoke');
    const other = await requestAccessToken(f.argus.gatewayUrl, t.accessKey, t.secretKey);
    const { revokeAccessToken } = await t.client.request(RevokeAccessTokenDocument, { tokenId: other.tokenId });
    expect(revokeAccessToken.revokedAt).toBeTruthy();
    const revoked = createArgusClient({ url: f.argus.gatewayUrl, token: other.accessToken });
    await expect(revoked.request(ViewerDocument)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });

    const { viewer } = await t.client.request(ViewerDocument);
    const expired = createArgusClient({
      url: f.argus.gatewayUrl,
      token: expiredToken(f.argus.masterKey(), { jti: other.tokenId, appId: viewer.appId!, tenantId: t.tenantId, role: 'TENANT' }),
    });
    await expect(expired.request(ViewerDocument)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });

    const forged = createArgusClient({ url: f.argus.gatewayUrl, token: t.token.slice(0, -4) + 'AAAA' });
    await expect(forged.request(ViewerDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // another tenant's token id is unknown to this tenant
    const u = await f.tenant('revoke-other');
    await expect(u.client.request(RevokeAccessTokenDocument, { tokenId: other.tokenId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('accepts app-signed requests and refuses bad signatures, stale timestamps and replayed msgSeq', async () => {
    const t = await f.tenant('signed');
    const signer = createArgusClient({ url: f.argus.gatewayUrl, signing: { accessKey: t.accessKey, secretKey: t.secretKey } });
    await expect(signer.request(ViewerDocument)).resolves.toMatchObject({ viewer: { tenantId: t.tenantId } });

    const query = '{ viewer { tenantId } }';
    const body = JSON.stringify({ query });
    const keys = { accessKey: t.accessKey, secretKey: t.secretKey };
    const good = signedRequestHeaders(keys, '/graphql', body);
    expect((await rawGraphql(f.argus.gatewayUrl, good, query, body)).body.data.viewer.tenantId).toBe(t.tenantId);
    // the same msgSeq again: a replay
    const replay = await rawGraphql(f.argus.gatewayUrl, good, query, body);
    expect(replay.status).toBe(401);
    expect(replay.body.errors[0].extensions.code).toBe('REPLAYED_REQUEST');
    // signed with another key
    const bad = signedRequestHeaders({ ...keys, secretKey: 'not-the-secret' }, '/graphql', body);
    expect((await rawGraphql(f.argus.gatewayUrl, bad, query, body)).body.errors[0].extensions.code).toBe('BAD_SIGNATURE');
    // body changed after signing
    const tampered = signedRequestHeaders(keys, '/graphql', body);
    const other = JSON.stringify({ query: '{ tenants { id } }' });
    expect((await rawGraphql(f.argus.gatewayUrl, tampered, query, other)).body.errors[0].extensions.code).toBe('BAD_SIGNATURE');
    // 16 minutes old
    const stale = signedRequestHeaders(keys, '/graphql', body, { timestamp: Date.now() - 16 * 60_000 });
    expect((await rawGraphql(f.argus.gatewayUrl, stale, query, body)).body.errors[0].extensions.code).toBe('STALE_TIMESTAMP');
    // the spec's prose form (", " separators) is accepted as well
    const ts = String(Date.now());
    const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('hex');
    const prose = createHmac('sha256', t.secretKey).update([t.secretKey, t.accessKey, ts, '/graphql', md5].join(', ')).digest('base64');
    const res = await rawGraphql(f.argus.gatewayUrl, { appid: t.accessKey, msgSeq: 'prose-1', timestamp: ts, signature: prose }, query, body);
    expect(res.body.data.viewer.tenantId).toBe(t.tenantId);
  });

  it('keeps tenants apart and lets only the admin create tenants', async () => {
    const a = await f.tenant('iso-a');
    const b = await f.tenant('iso-b');
    const { tenants } = await a.client.request(TenantsDocument);
    expect(tenants.map((x) => x.id)).toEqual([a.tenantId]);
    await expect(b.client.request(CreateTenantDocument, { name: 'sneaky' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const asB = createArgusClient({ url: f.argus.gatewayUrl, token: a.token, tenantId: b.tenantId });
    await expect(asB.request(ViewerDocument)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const adminAsB = createArgusClient({ url: f.argus.gatewayUrl, token: f.adminToken, tenantId: b.tenantId });
    await expect(adminAsB.request(ViewerDocument)).resolves.toMatchObject({ viewer: { tenantId: b.tenantId, role: 'ADMIN' } });
  });

  it('refuses direct subgraph calls, with or without a forged context header', async () => {
    for (const url of Object.values(f.argus.subgraphUrls)) {
      const plain = await rawGraphql(url, {}, '{ __typename }');
      expect(plain.status).toBe(403);
      expect(plain.body.errors[0].extensions.code).toBe('INTERNAL_ONLY');
      const fakeBody = Buffer.from(JSON.stringify({ tenantId: null, appId: null, role: 'ADMIN' })).toString('base64url');
      const forged = await rawGraphql(url, { 'x-argus-context': `${fakeBody}.${Date.now()}.AAAA` }, '{ __typename }');
      expect(forged.body.errors[0].extensions.code).toBe('INTERNAL_ONLY');
    }
  });

  it('authenticates graphql-ws in connection_init and closes the socket on bad credentials', async () => {
    const url = f.argus.gatewayUrl.replace('http', 'ws');
    const close = (params: Record<string, string>) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const ws = new WebSocket(url, 'graphql-transport-ws');
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: params })));
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      });
    const revoked = await close({ authorization: 'Bearer argus1.garbage.garbage' });
    expect(revoked.code).toBe(4403);
    expect(revoked.reason).toContain('UNAUTHENTICATED');
    const anonymous = await close({});
    expect(anonymous.code).toBe(4403);
  });

  it('names the field of bad input and writes nothing', async () => {
    await expect(f.admin.request(CreateAppDocument, { tenantId: 'ten_missing', name: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const err = await f.admin.request(CreateTenantDocument, { name: '   ' }).catch((e: ArgusClientError) => e);
    expect(err).toBeInstanceOf(ArgusClientError);
    expect((err as ArgusClientError).code).toBe('BAD_USER_INPUT');
    expect((err as ArgusClientError).errors[0]!.extensions?.field).toBe('name');
    const { tenants } = await f.admin.request(TenantsDocument);
    expect(tenants.some((x) => x.name.trim() === '')).toBe(false);
  });
});
