/**
 * The interfaces of the push protocol (spec §4.2, §4.3.1), matched verbatim (`revice` is part of two
 * paths, D37). The camera has one configurable server address (§2) which may carry a path prefix
 * (D36), so a request matches the interface its path ends with.
 */
export type PushKind = 'keepalive' | 'alarm' | 'event' | 'tlv' | 'environment' | 'temperature' | 'snapshot';

export interface PushRoute {
  kind: PushKind;
  path: string;
  /** The interface name answered in the envelope's `method`. */
  name: string;
  /** Methods accepted. Keepalive is GET with a JSON body in the spec (D12); POST is accepted too. */
  methods: readonly string[];
}

export const PUSH_ROUTES: readonly PushRoute[] = [
  { kind: 'keepalive', path: '/v1/device/keepalive', name: 'keepalive', methods: ['GET', 'POST'] },
  { kind: 'alarm', path: '/v1/uns/reviceMonitorPointRecord/alarm_report', name: 'alarm_report', methods: ['POST'] },
  { kind: 'event', path: '/v1/device/event_report', name: 'event_report', methods: ['POST'] },
  { kind: 'tlv', path: '/v1/device/tlv_report', name: 'tlv_report', methods: ['POST'] },
  // no `method` in this request (D31): the envelope names the URL's filename part, as §2 defines interface names
  { kind: 'environment', path: '/rs/env/reportData.do', name: 'reportData.do', methods: ['POST'] },
  { kind: 'temperature', path: '/v1/uns/reviceMonitorPointRecord/report_temper_data', name: 'report_temper_data', methods: ['POST'] },
  { kind: 'snapshot', path: '/v1/device/snap_report', name: 'snap_report', methods: ['POST'] },
];

export function matchRoute(pathname: string): PushRoute | undefined {
  const p = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return PUSH_ROUTES.find((r) => p === r.path || p.endsWith(r.path));
}

/** The interface name of an unknown path: its filename part. */
export function interfaceNameOf(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}
