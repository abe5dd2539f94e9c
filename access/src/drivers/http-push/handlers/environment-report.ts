/**
 * POST /rs/env/reportData.do (§4.3.1 #4, modbus, old architecture), without envelope:
 * { deviceNo, time, data: { "@0": v, … }, alarm: { "@N": 0 below minimum | 1 above maximum } }.
 * No type string in the body: coded by the interface, `reportData`; level MAJOR when `alarm` names a
 * register, else INFO (a plain reading).
 */
import { badRequest } from '../envelope.js';
import { deviceTime, isObject, optString, parseJsonObject } from '../fields.js';
import { alarmOf, rawFields, type ReportHandler } from './context.js';

const WHAT = 'reportData';

export const ENV_CODE = 'reportData';

function registers(o: unknown, key: string): { register: number; value: number }[] {
  if (o === undefined || o === null) return [];
  if (!isObject(o)) throw badRequest(`${WHAT}: "${key}" must be a JSON object of "@<register>": value`);
  const out: { register: number; value: number }[] = [];
  for (const [k, v] of Object.entries(o)) {
    const m = /^@?(\d{1,5})$/.exec(k);
    if (!m) throw badRequest(`${WHAT}: "${key}" has key "${k}"; registers are named "@0", "@1", …`);
    const value = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(value)) throw badRequest(`${WHAT}: "${key}.${k}" must be a number`);
    out.push({ register: Number(m[1]), value });
  }
  return out.sort((a, b) => a.register - b.register);
}

export const handleEnvironmentReport: ReportHandler = (ctx) => {
  const body = parseJsonObject(ctx.body, WHAT);
  optString(body, 'deviceNo', WHAT);
  const readings = registers(body.data, 'data');
  const alarms = registers(body.alarm, 'alarm').map((a) => ({
    ...a,
    condition: a.value === 0 ? 'below_min' : a.value === 1 ? 'above_max' : 'unknown',
  }));
  const description = alarms.length
    ? alarms.map((a) => `register ${a.register} ${a.condition === 'below_min' ? 'below its minimum' : a.condition === 'above_max' ? 'above its maximum' : `alarm ${a.value}`}`).join('; ')
    : `${readings.length} register reading${readings.length === 1 ? '' : 's'}`;
  return {
    alarms: [
      alarmOf(ctx, {
        kind: 'environment',
        code: ENV_CODE,
        status: 'PULSE',
        channelId: null,
        occurredAt: deviceTime(body.time, ctx.utcOffsetMinutes),
        description,
        level: alarms.length ? 'MAJOR' : 'INFO',
        fields: { ...rawFields(body, []), readings, alarms },
        pictures: [],
      }),
    ],
  };
};
