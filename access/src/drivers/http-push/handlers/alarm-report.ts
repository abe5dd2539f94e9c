/**
 * POST /v1/uns/reviceMonitorPointRecord/alarm_report (§4.3.1 #1, old architecture):
 * { method, param: { device_id, device_name, channel_id, alarm_type, time, status, jpeg_base64,
 *   alarm_uuid, alarm_msg, extends } }.
 */
import { badRequest } from '../envelope.js';
import { channelIdOf, deviceTime, extensionOf, optInt, optString, paramOf, parseJsonObject, pictureOf, statusOf } from '../fields.js';
import { alarmOf, rawFields, type ReportHandler } from './context.js';

const WHAT = 'alarm_report';

export const handleAlarmReport: ReportHandler = (ctx) => {
  const p = paramOf(parseJsonObject(ctx.body, WHAT), WHAT);
  const alarmType = optString(p, 'alarm_type', WHAT)?.trim();
  if (!alarmType) throw badRequest(`${WHAT}: "param.alarm_type" is required`);
  const channel = optInt(p, 'channel_id', WHAT);
  const uuid = optString(p, 'alarm_uuid', WHAT)?.trim();
  const message = optString(p, 'alarm_msg', WHAT);
  // "start,stop,pulse" (the example's list of values) or anything unknown: a pulse; the raw value stays in the attributes
  const status = statusOf(p.status) ?? 'PULSE';
  const picture = pictureOf(p, ['jpeg_base64', 'jpegBase64'], WHAT);
  const fields = rawFields(p, ['jpeg_base64', 'jpegBase64']);
  const ext = extensionOf(p.extends);
  if (ext) {
    fields.extends = ext.value;
    fields.extendsForm = ext.form;
  }
  return {
    alarms: [
      alarmOf(ctx, {
        kind: 'alarm',
        code: alarmType,
        status,
        channelId: channelIdOf(ctx.device, channel),
        occurredAt: deviceTime(p.time, ctx.utcOffsetMinutes),
        description: message?.trim() || alarmType,
        ...(uuid ? { dedupeKey: `${uuid}:${status}` } : {}),
        fields,
        pictures: picture ? [picture] : [],
      }),
    ],
  };
};
