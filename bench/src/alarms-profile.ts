/**
 * Where the Argus process spends its time: reads a V8 .cpuprofile (written by `--cpu-prof` when
 * the process exits) and sums self time per function and per area (workspace package, npm
 * package, node internals, GC) over a time window. V8 timestamps are CLOCK_MONOTONIC microseconds,
 * the same clock as process.hrtime.bigint() in this process, so windows taken here select the
 * samples of one benchmark phase.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples in the window. */
  sampledMs: number;
  /** Share of the window the main thread was not idle (%). */
  busyPct: number;
  areas: Array<{ area: string; ms: number; pct: number }>;
  functions: Array<{ fn: string; ms: number; pct: number }>;
}

/** Monotonic clock now, in the profile's unit (µs). */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

export function readProfiles(dir: string): CpuProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
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

/** Self time per function and area for samples with timestamps in [fromUs, toUs] (whole profile when omitted). */
export function summarizeProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
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
    functions: rows(fns).map(({ k, ms, pct }) => ({ fn: k, ms, pct })),
  };
}

export function printProfile(label: string, s: ProfileSummary): void {
  process.stdout.write(`\nArgus CPU profile, ${label}: ${s.sampledMs} ms sampled, main thread busy ${s.busyPct}% (shares below are of busy time)\n`);
  for (const a of s.areas) process.stdout.write(`  ${String(a.pct).padStart(5)}%  ${a.area}\n`);
  process.stdout.write('  top functions (self time):\n');
  for (const f of s.functions) process.stdout.write(`  ${String(f.pct).padStart(5)}%  ${f.fn}\n`);
}
