import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENTITLEMENTS_BATCH_MAX, ENTITLEMENTS_ROUTE, readJson, sendJson, type EntitlementScope } from '@argus/platform';
import type { EntitlementQueries } from './entitlements.js';

const ID = /^[\x21-\x7e]{1,128}$/;

/**
 * GET /internal/entitlements?tenantId=…&channelId=… (or &deviceId=…), service-only (the subgraph
 * server checks the SERVICE signature): the EntitlementSnapshot checkers cache. POST with
 * { tenantId, scopes: [{ channelId } | { deviceId }, …] } answers { snapshots } in the same order.
 */
export async function serveEntitlements(queries: EntitlementQueries, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== ENTITLEMENTS_ROUTE) return false;
  if (req.method === 'POST') return serveMany(queries, req, res);
  if (req.method !== 'GET') return false;
  const tenantId = url.searchParams.get('tenantId');
  const channelId = url.searchParams.get('channelId');
  const deviceId = url.searchParams.get('deviceId');
  if (!tenantId || !ID.test(tenantId) || (channelId === null) === (deviceId === null) || !ID.test(channelId ?? deviceId ?? '')) {
    sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: 'pass tenantId and one of channelId, deviceId (1-128 printable characters)' } });
    return true;
  }
  const snapshot = await queries.snapshot(tenantId, channelId !== null ? { channelId } : { deviceId: deviceId! });
  sendJson(res, 200, snapshot);
  return true;
}

function scopeOf(v: unknown): EntitlementScope | null {
  if (!v || typeof v !== 'object') return null;
  const { channelId, deviceId } = v as { channelId?: unknown; deviceId?: unknown };
  if (typeof channelId === 'string' && deviceId === undefined && ID.test(channelId)) return { channelId };
  if (typeof deviceId === 'string' && channelId === undefined && ID.test(deviceId)) return { deviceId };
  return null;
}

async function serveMany(queries: EntitlementQueries, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const body = await readJson<{ tenantId?: unknown; scopes?: unknown }>(req).catch(() => null);
  const tenantId = body?.tenantId;
  const raw = body?.scopes;
  const scopes = Array.isArray(raw) ? raw.map(scopeOf) : [];
  if (typeof tenantId !== 'string' || !ID.test(tenantId) || !Array.isArray(raw) || raw.length === 0 || raw.length > ENTITLEMENTS_BATCH_MAX || scopes.some((s) => !s)) {
    sendJson(res, 400, {
      error: { code: 'BAD_USER_INPUT', message: `pass JSON { tenantId, scopes: [{ channelId } | { deviceId }] } with 1-${ENTITLEMENTS_BATCH_MAX} scopes of 1-128 printable characters` },
    });
    return true;
  }
  sendJson(res, 200, { snapshots: await queries.snapshots(tenantId, scopes as EntitlementScope[]) });
  return true;
}
