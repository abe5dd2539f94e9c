/**
 * POST /v1/device/snap_report (§4.3.1 #6, old architecture), as intended (the spec's example is
 * malformed, D29): { mid, method, param: { deviceID, deviceName, name, jpegBase64 } }. The picture
 * field is also accepted as `jpegBas64` (the spec's notes spell it so, D30) and `jpeg_base64`.
 */
import { badRequest } from '../envelope.js';
import { channelIdOf, deviceTime, optInt, optString, paramOf, parseJsonObject, pictureOf } from '../fields.js';
import { alarmOf, rawFields, type ReportHandler } from './context.js';

const WHAT = 'snap_report';
const PICTURE_KEYS = ['jpegBase64', 'jpegBas64', 'jpeg_base64'] as const;

export const handleSnapshotReport: ReportHandler = (ctx) => {
  const body = parseJsonObject(ctx.body, WHAT);
  const p = paramOf(body, WHAT);
  const mid = optInt(body, 'mid', WHAT) ?? optInt(p, 'mid', WHAT);
  const picture = pictureOf(p, PICTURE_KEYS, WHAT);
  if (!picture) throw badRequest(`${WHAT}: "param.jpegBase64" (the picture) is required`);
  const name = optString(p, 'name', WHAT)?.trim();
  const channel = optInt(p, 'channel_id', WHAT) ?? optInt(p, 'channelId', WHAT);
  const fields = rawFields(p, PICTURE_KEYS);
  if (mid !== undefined) fields.mid = mid;
  return {
    alarms: [
      alarmOf(ctx, {
        kind: 'snapshot',
        code: WHAT,
        status: 'PULSE',
        channelId: channelIdOf(ctx.device, channel),
        occurredAt: deviceTime(p.time, ctx.utcOffsetMinutes),
        description: name || 'snapshot',
        level: 'INFO',
        fields,
        pictures: [picture],
      }),
    ],
  };
};
