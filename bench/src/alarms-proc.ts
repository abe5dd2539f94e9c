/** /proc readings of the Argus process for bench/alarms (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  } catch {
    return null;
  }
}

/** utime + stime of the process, in seconds. */
export function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : 0;
}

/** VmRSS of the process in MB (0 once it is gone). */
export function processRssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The embedded Argus process @argus/harness spawned: a direct child of this process running launcher/dist/embedded.js. */
export function argusPid(): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f || Number(f[1]) !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('launcher/dist/embedded.js')) return Number(name);
    } catch {
      /* gone */
    }
  }
  throw new Error('cannot find the Argus process among the children of this process');
}

/** Busy and total jiffies of the whole machine (/proc/stat), for the CPU other processes used. */
export function hostJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Clock ticks per second of /proc times. */
export const clockTicks = CLK_TCK;
