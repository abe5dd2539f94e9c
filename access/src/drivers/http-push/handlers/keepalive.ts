/**
 * GET /v1/device/keepalive (§4.2). The body ({ method: "", param: { deviceId, channelNum, deviceName,
 * time } }) carries nothing Argus needs beyond proof of life; it may be absent (GET bodies are dropped
 * by some proxies, D12), but when present it must be JSON.
 */
import { parseJsonObject } from '../fields.js';
import type { ReportHandler } from './context.js';

export const handleKeepalive: ReportHandler = (ctx) => {
  if (ctx.body.length > 0 && ctx.body.toString('utf8').trim() !== '') parseJsonObject(ctx.body, 'keepalive');
  return { alarms: [] };
};
