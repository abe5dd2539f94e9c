/** /proc readings for benchmarks (Linux): CPU time, resident memory, children, host CPU. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  } catch {
    return null;
  }
}

/** utime + stime of the processes, summed, in seconds, and the stime (kernel) part. */
export function cpuSeconds(pids: number[]): { total: number; sys: number } {
  let user = 0;
  let sys = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) {
      user += Number(f[11]);
      sys += Number(f[12]);
    }
  }
  return { total: (user + sys) / CLK_TCK, sys: sys / CLK_TCK };
}

/** VmRSS of the processes, summed, in MB. */
export function rssMB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

/** Direct children of `pid` (nginx workers of the master). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** Busy and total jiffies of the whole machine (/proc/stat), for host CPU %. */
export function hostCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3]! + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** The embedded Argus process @argus/harness spawned: a child of this process running launcher/dist/embedded.js. */
export function argusPid(): number {
  for (const pid of childrenOf(process.pid)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('launcher/dist/embedded.js')) return pid;
    } catch {
      /* gone */
    }
  }
  throw new Error('cannot find the Argus process among the children of this process');
}
