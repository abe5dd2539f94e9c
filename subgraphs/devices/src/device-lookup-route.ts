import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@argus/platform';
import type { DevicesService } from './devices-service.js';
import { Channel } from './entities/channel.js';
import { Device } from './entities/device.js';
import { DeviceProtocol, LIMITS } from './model.js';

/** What a push driver needs to authenticate a device that names itself by its code. */
export interface DeviceByCode {
  deviceId: string;
  tenantId: string;
  name: string;
  /** The device password, opened; null when none is set. */
  password: string | null;
  channels: { id: string; index: number }[];
}

const CODE = /^\/internal\/devices\/by-code\/([^/]+)$/;
const PROTOCOLS = new Set<string>(Object.values(DeviceProtocol));

/**
 * GET /internal/devices/by-code/<deviceCode>[?protocol=HTTP_PUSH] — service-only (the subgraph
 * server checks the SERVICE signature). Device codes are unique per tenant, not globally: 404 when
 * no device has the code, 409 when devices of several tenants have it (the caller must refuse).
 */
export async function serveDeviceLookup(devices: DevicesService, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = CODE.exec(url.pathname);
  if (!m || req.method !== 'GET') return false;
  let code: string;
  try {
    code = decodeURIComponent(m[1]!);
  } catch {
    code = '';
  }
  if (!code || code.length > LIMITS.deviceCode) {
    sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: `device code must be 1-${LIMITS.deviceCode} characters` } });
    return true;
  }
  const protocol = url.searchParams.get('protocol');
  if (protocol !== null && !PROTOCOLS.has(protocol)) {
    sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: `protocol must be one of ${[...PROTOCOLS].join(', ')}` } });
    return true;
  }
  const em = devices.em();
  const found = await em.find(Device, protocol ? { deviceCode: code, protocol: protocol as DeviceProtocol } : { deviceCode: code }, { limit: 2 });
  if (found.length === 0) {
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no device${protocol ? ` of protocol ${protocol}` : ''} has code ${code}` } });
    return true;
  }
  if (found.length > 1) {
    sendJson(res, 409, { error: { code: 'CONFLICT', message: `devices of several tenants have code ${code}; a device that names itself by code cannot be told apart` } });
    return true;
  }
  const device = found[0]!;
  const channels = await em.find(Channel, { deviceId: device.id }, { orderBy: { index: 'asc' }, fields: ['id', 'index'] });
  const login = await devices.credentialsOf(device.id);
  const body: DeviceByCode = {
    deviceId: device.id,
    tenantId: device.tenantId,
    name: device.name,
    password: login?.password ?? null,
    channels: channels.map((c) => ({ id: c.id, index: c.index })),
  };
  sendJson(res, 200, body, { 'cache-control': 'no-store' });
  return true;
}
