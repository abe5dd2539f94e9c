import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@argus/platform';
import type { DevicesService } from './devices-service.js';
import { Channel } from './entities/channel.js';
import { Device } from './entities/device.js';

/** What the access plane needs to open a channel's stream: the device's address and login. */
export interface ChannelSource {
  channelId: string;
  channelIndex: number;
  tenantId: string;
  deviceId: string;
  protocol: string;
  vendor: string | null;
  address: string | null;
  username: string | null;
  password: string | null;
}

/**
 * GET /internal/channels/<channelId>/source — service-only (the subgraph server checks the
 * SERVICE signature): the device record with its password opened, for the access plane.
 */
export async function serveStreamSource(devices: DevicesService, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = /^\/internal\/channels\/([A-Za-z0-9_-]{1,64})\/source$/.exec(url.pathname);
  if (!m || req.method !== 'GET') return false;
  const em = devices.em();
  const channel = await em.findOne(Channel, { id: m[1]! });
  const device = channel ? await em.findOne(Device, { id: channel.deviceId }) : null;
  if (!channel || !device) {
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `channel ${m[1]} does not exist` } });
    return true;
  }
  const login = await devices.credentialsOf(device.id);
  const body: ChannelSource = {
    channelId: channel.id,
    channelIndex: channel.index,
    tenantId: device.tenantId,
    deviceId: device.id,
    protocol: device.protocol,
    vendor: device.vendor,
    address: device.address,
    username: login?.username ?? null,
    password: login?.password ?? null,
  };
  sendJson(res, 200, body, { 'cache-control': 'no-store' });
  return true;
}
