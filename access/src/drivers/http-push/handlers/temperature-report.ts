/**
 * POST /v1/uns/reviceMonitorPointRecord/report_temper_data (§4.3.1 #5, old architecture):
 * { method, param: { device_id, device_name, channel_id, temper_rect: [{ id, name, temper,
 * over_threshold }] } }. No type, alarm flag or time (D34): coded by the method name,
 * `report_temper_data`; a region whose `temper` exceeds its `over_threshold` raises the level to
 * MAJOR (else INFO) and is listed in `overThreshold`.
 */
import { badRequest } from '../envelope.js';
import { channelIdOf, deviceTime, isObject, optInt, optNumber, optString, paramOf, parseJsonObject } from '../fields.js';
import { alarmOf, rawFields, type ReportHandler } from './context.js';

const WHAT = 'report_temper_data';
export const TEMPER_CODE = 'report_temper_data';

export const handleTemperatureReport: ReportHandler = (ctx) => {
  const p = paramOf(parseJsonObject(ctx.body, WHAT), WHAT);
  const channel = optInt(p, 'channel_id', WHAT);
  const rects = p.temper_rect ?? [];
  if (!Array.isArray(rects)) throw badRequest(`${WHAT}: "param.temper_rect" must be an array`);
  const regions = rects.map((r, i) => {
    const what = `${WHAT}: "param.temper_rect[${i}]"`;
    if (!isObject(r)) throw badRequest(`${what} must be an object`);
    const region = { id: optInt(r, 'id', what) ?? i, name: optString(r, 'name', what) ?? '', temper: optNumber(r, 'temper', what), overThreshold: optNumber(r, 'over_threshold', what) };
    return { ...region, over: region.temper !== undefined && region.overThreshold !== undefined && region.temper > region.overThreshold };
  });
  const over = regions.filter((r) => r.over);
  const label = (r: (typeof regions)[number]) => `${r.name || `region ${r.id}`}: ${r.temper ?? '?'} (threshold ${r.overThreshold ?? '?'})`;
  return {
    alarms: [
      alarmOf(ctx, {
        kind: 'temperature',
        code: TEMPER_CODE,
        status: 'PULSE',
        channelId: channelIdOf(ctx.device, channel),
        occurredAt: deviceTime(p.time, ctx.utcOffsetMinutes),
        description: (over.length ? over : regions).map(label).join('; ') || 'temperature report',
        level: over.length ? 'MAJOR' : 'INFO',
        fields: {
          ...rawFields(p, []),
          regions: regions.map(({ over: o, ...r }) => ({ ...r, overThresholdExceeded: o })),
          overThreshold: over.map((r) => r.id),
        },
        pictures: [],
      }),
    ],
  };
};
