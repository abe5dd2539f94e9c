/**
 * Where the Argus process spends its time: bench/alarms starts Argus with `--inspect` on a local
 * port (NODE_OPTIONS allows that, not --cpu-prof), records a V8 CPU profile of one phase over the
 * inspector protocol, and sums self time per function and per area (workspace package folder,
 * npm package, node internals, GC).
 */
import WebSocket from 'ws';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples. */
  sampledMs: number;
  /** Share of the time the main thread was not idle (%). */
  busyPct: number;
  areas: Array<{ area: string; ms: number; pct: number }>;
  /** Busy time charged to the innermost Argus (workspace) file on the stack: which part of Argus caused it. */
  argusFiles: Array<{ file: string; ms: number; pct: number }>;
  functions: Array<{ fn: string; ms: number; pct: number }>;
}

/** Starts the V8 profiler of the process whose inspector listens on `port`; stop() returns the profile. */
export async function startInspectorProfile(port: number, samplingMicros = 500): Promise<{ stop(): Promise<CpuProfile> }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const n = ++id;
      pending.set(n, { resolve, reject });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: samplingMicros });
  await call('Profiler.start');
  return {
    async stop() {
      const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
      ws.close();
      return profile;
    },
  };
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ws = /\/work\/main\/(subgraphs\/[^/]+|[^/]+)\/(?:dist|src)\/(.*)$/.exec(url.replace(/^file:\/\//, ''));
  if (ws) {
    const sub = ws[2]!.split('/');
    return sub.length > 1 ? `${ws[1]}/${sub.slice(0, Math.min(sub.length - 1, 2)).join('/')}` : ws[1]!;
  }
  return url.replace(/^file:\/\//, '');
}

/** Self time per function and per area, top `top` of each. */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownFile = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url.replace(/^file:\/\//, '');
      if (url.startsWith('/work/main/') && !url.includes('/node_modules/')) return url.slice('/work/main/'.length).replace('/dist/', '/');
    }
    return '(no Argus frame)';
  };
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const file = ownFile(id);
    files.set(file, (files.get(file) ?? 0) + us);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const short = url ? `${url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*\/node_modules\//, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${short}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  const rows = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ k, ms: Math.round(us / 1000), pct: busy > 0 ? Math.round((us / busy) * 1000) / 10 : 0 }));
  return {
    sampledMs: Math.round(total / 1000),
    busyPct: total > 0 ? Math.round((busy / total) * 1000) / 10 : 0,
    areas: rows(areas).map(({ k, ms, pct }) => ({ area: k, ms, pct })),
    argusFiles: rows(files).map(({ k, ms, pct }) => ({ file: k, ms, pct })),
    functions: rows(fns).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}

export function printProfile(label: string, s: ProfileSummary): void {
  process.stdout.write(`\nArgus CPU profile, ${label}: ${s.sampledMs} ms sampled, main thread busy ${s.busyPct}% (shares below are of busy time)\n`);
  for (const a of s.areas) process.stdout.write(`  ${String(a.pct).padStart(5)}%  ${a.area}\n`);
  process.stdout.write('  charged to the innermost Argus file on the stack:\n');
  for (const f of s.argusFiles) process.stdout.write(`  ${String(f.pct).padStart(5)}%  ${f.file}\n`);
  process.stdout.write('  top functions (self time):\n');
  for (const f of s.functions) process.stdout.write(`  ${String(f.pct).padStart(5)}%  ${f.fn}\n`);
}
