import type { IncomingMessage, ServerResponse } from 'node:http';
import { ENTITLEMENTS_ROUTE, sendJson } from '@argus/platform';
import type { EntitlementQueries } from './entitlements.js';

const ID = /^[\x21-\x7e]{1,128}$/;

/**
 * GET /internal/entitlements?tenantId=…&channelId=… (or &deviceId=…), service-only (the subgraph
 * server checks the SERVICE signature): the EntitlementSnapshot checkers cache.
 */
export async function serveEntitlements(queries: EntitlementQueries, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== ENTITLEMENTS_ROUTE || req.method !== 'GET') return false;
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
