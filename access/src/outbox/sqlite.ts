/**
 * better-sqlite3, loaded without its (absent) type package: only what the outbox uses is typed.
 */
import { createRequire } from 'node:module';

export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
  readonly open: boolean;
}

type DatabaseCtor = new (file: string, options?: { timeout?: number }) => SqliteDatabase;

export function openSqlite(file: string): SqliteDatabase {
  const Database = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
  return new Database(file, { timeout: 5000 });
}
