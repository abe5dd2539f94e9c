/**
 * POST /v1/device/event_report (§4.3.1 #2, JES):
 * { method, param: { device_id, device_name, channel_type, channel_id, event, type, typeName, time,
 *   status (0 stop, 1 start, 2 pulse), extern (base64 JSON, §4.7), jpeg_base64 } }.
 * event: 1 alarm, 2 unused, 3 scheduled snapshot. A scheduled snapshot without `type` is coded
 * `timing_snap` (the spec gives it no type string, D27).
 */
import { badRequest } from '../envelope.js';
import { channelIdOf, deviceTime, extensionOf, optInt, optString, paramOf, parseJsonObject, pictureOf, statusOf } from '../fields.js';
import { alarmOf, rawFields, type ReportHandler } from './context.js';

const WHAT = 'event_report';
export const TIMED_SNAPSHOT_EVENT = 3;

export const handleEventReport: ReportHandler = (ctx) => {
  const p = paramOf(parseJsonObject(ctx.body, WHAT), WHAT);
  const event = optInt(p, 'event', WHAT);
  const type = optString(p, 'type', WHAT)?.trim() || (event === TIMED_SNAPSHOT_EVENT ? 'timing_snap' : '');
  if (!type) throw badRequest(`${WHAT}: "param.type" is required`);
  const channel = optInt(p, 'channel_id', WHAT);
  optInt(p, 'channel_type', WHAT);
  const typeName = optString(p, 'typeName', WHAT)?.trim();
  const picture = pictureOf(p, ['jpeg_base64', 'jpegBase64'], WHAT);
  const fields = rawFields(p, ['jpeg_base64', 'jpegBase64']);
  const ext = extensionOf(p.extern);
  if (ext) {
    fields.extern = ext.value;
    fields.externForm = ext.form;
  }
  return {
    alarms: [
      alarmOf(ctx, {
        kind: 'event',
        code: type,
        status: statusOf(p.status) ?? 'PULSE',
        channelId: channelIdOf(ctx.device, channel),
        occurredAt: deviceTime(p.time, ctx.utcOffsetMinutes),
        description: typeName || type,
        ...(event === TIMED_SNAPSHOT_EVENT ? { level: 'INFO' as const } : {}),
        fields,
        pictures: picture ? [picture] : [],
      }),
    ],
  };
};
