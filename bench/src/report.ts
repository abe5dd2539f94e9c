import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Row = Record<string, string | number>;

const RESULTS = resolve(dirname(fileURLToPath(import.meta.url)), '../results');

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Prints rows as an aligned table under a title. */
export function printTable(title: string, rows: Row[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ');
  process.stdout.write(`\n${title}\n${line(cols)}\n${line(width.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(line(cols.map((c) => String(r[c] ?? ''))) + '\n');
}

/**
 * Prints rows as an aligned table (and any further titled tables) and writes
 * bench/results/<name>-<timestamp>.json.
 */
export function report(name: string, rows: Row[], meta: Record<string, unknown> = {}, tables: Record<string, Row[]> = {}): string {
  printTable(name, rows);
  for (const [title, t] of Object.entries(tables)) printTable(title, t);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version };
  const extra = Object.keys(tables).length ? { tables } : {};
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine, meta, rows, ...extra }, null, 2) + '\n');
  process.stdout.write(`\nwritten ${file}\n`);
  return file;
}
