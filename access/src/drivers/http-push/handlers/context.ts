import type { AlarmKind, AlarmLevelName, AlarmStatusName, PushAlarmRaised, PushPicture } from '../alarm-payload.js';
import type { PushDevice } from '../device-registry.js';
import type { PushRoute } from '../routes.js';

/** What a report handler gets: the authenticated device and the raw request body. */
export interface ReportContext {
  device: PushDevice;
  route: PushRoute;
  body: Buffer;
  contentType: string | undefined;
  receivedAt: Date;
  /** UTC offset of the device clocks (minutes), or null for this server's time zone. */
  utcOffsetMinutes: number | null;
  /** Largest TLV body / value accepted. */
  maxBodyBytes: number;
}

/** What a handler makes of a report: the alarms to store (none for a keepalive). */
export interface ReportResult {
  alarms: PushAlarmRaised[];
}

export type ReportHandler = (ctx: ReportContext) => ReportResult;

export interface AlarmParts {
  kind: AlarmKind;
  code: string;
  status: AlarmStatusName;
  channelId: string | null;
  occurredAt: Date | null;
  description: string;
  level?: AlarmLevelName;
  dedupeKey?: string;
  fields: Record<string, unknown>;
  pictures: PushPicture[];
}

/** Assembles the alarm.raised payload (the shape the events subgraph reads). */
export function alarmOf(ctx: ReportContext, a: AlarmParts): PushAlarmRaised {
  const out: PushAlarmRaised = {
    tenantId: ctx.device.tenantId,
    deviceId: ctx.device.deviceId,
    channelId: a.channelId,
    type: a.code,
    sourceCode: a.code,
    status: a.status,
    occurredAt: (a.occurredAt ?? ctx.receivedAt).toISOString(),
    description: a.description,
    attributes: { ...a.fields, source: 'http-push', kind: a.kind, pictures: a.pictures },
  };
  if (a.level) out.level = a.level;
  if (a.dedupeKey) out.dedupeKey = a.dedupeKey;
  return out;
}

/** The body's fields minus the given ones (pictures travel in `pictures`, not twice). */
export function rawFields(o: Record<string, unknown>, without: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!without.includes(k)) out[k] = v;
  return out;
}
