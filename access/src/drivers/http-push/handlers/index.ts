import type { PushKind } from '../routes.js';
import type { ReportHandler } from './context.js';
import { handleKeepalive } from './keepalive.js';
import { handleAlarmReport } from './alarm-report.js';
import { handleEventReport } from './event-report.js';
import { handleTlvReport } from './tlv-report.js';
import { handleEnvironmentReport } from './environment-report.js';
import { handleTemperatureReport } from './temperature-report.js';
import { handleSnapshotReport } from './snapshot-report.js';

export type { ReportContext, ReportResult, ReportHandler } from './context.js';

export const HANDLERS: Record<PushKind, ReportHandler> = {
  keepalive: handleKeepalive,
  alarm: handleAlarmReport,
  event: handleEventReport,
  tlv: handleTlvReport,
  environment: handleEnvironmentReport,
  temperature: handleTemperatureReport,
  snapshot: handleSnapshotReport,
};
