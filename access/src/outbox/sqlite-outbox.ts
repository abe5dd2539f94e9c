/**
 * The embedded default's outbox: a SQLite file (WAL, synchronous=FULL) written before the device is
 * answered, and a relay that publishes its rows to the bus in order and deletes them once the
 * publish resolved (on the in-process bus: once the consumers handled it). A failed publish is retried with exponential backoff; rows left by a crash or a
 * bus outage are published when the outbox starts again. Delivery is at least once: a crash between
 * publish and delete re-publishes the row with the same event id.
 *
 * Appends made in the same turn of the event loop share one transaction (one fsync).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bus, Logger } from '@argus/platform';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';
import type { Outbox, OutboxEvent } from './types.js';

export interface SqliteOutboxOptions {
  /** Rows published per relay pass (default 200). */
  batchSize?: number;
  /** First retry delay after a failed publish (ms, default 200); doubles up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Waiting {
  events: readonly OutboxEvent[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Row {
  seq: number;
  id: string;
  subject: string;
  data: string;
}

export class SqliteOutbox implements Outbox {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDatabase;
  private readonly insert: SqliteStatement;
  private readonly select: SqliteStatement;
  private readonly remove: SqliteStatement;
  private readonly count: SqliteStatement;
  private readonly insertMany: (rows: readonly OutboxEvent[]) => void;
  private readonly removeMany: (seqs: readonly number[]) => void;
  private queue: Waiting[] = [];
  private flushScheduled = false;
  private started = false;
  private closed = false;
  private relaying: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly batchSize: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    readonly file: string,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: SqliteOutboxOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.baseBackoffMs = options.baseBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    mkdirSync(dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`create table if not exists outbox (
      seq integer primary key autoincrement,
      id text not null unique,
      subject text not null,
      data text not null,
      created_at integer not null
    )`);
    this.insert = this.db.prepare('insert or ignore into outbox (id, subject, data, created_at) values (?, ?, ?, ?)');
    this.select = this.db.prepare('select seq, id, subject, data from outbox order by seq limit ?');
    this.remove = this.db.prepare('delete from outbox where seq = ?');
    this.count = this.db.prepare('select count(*) as n from outbox');
    this.insertMany = this.db.transaction((rows: readonly OutboxEvent[]) => {
      const now = Date.now();
      for (const e of rows) this.insert.run(e.id, e.subject, JSON.stringify(e.data), now);
    });
    this.removeMany = this.db.transaction((seqs: readonly number[]) => {
      for (const s of seqs) this.remove.run(s);
    });
  }

  append(events: readonly OutboxEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('outbox is closed'));
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async start(): Promise<void> {
    this.started = true;
    const left = this.pending();
    if (left > 0) this.logger.info({ pending: left, file: this.file }, 'outbox: publishing events left by the previous run');
    this.kick();
  }

  pending(): number {
    return this.db.open ? (this.count.get() as { n: number }).n : 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushScheduled) this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.relaying;
    this.db.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      this.insertMany(batch.flatMap((w) => w.events));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) w.resolve();
    this.kick();
  }

  /** Runs the relay now (or once more after the running pass), unless it waits for a retry. */
  private kick(): void {
    if (!this.started || this.closed || this.retryTimer) return;
    if (this.relaying) {
      this.again = true;
      return;
    }
    this.relaying = this.relay().finally(() => {
      this.relaying = null;
      if (this.again && !this.closed) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async relay(): Promise<void> {
    while (!this.closed) {
      const rows = this.select.all(this.batchSize) as Row[];
      if (rows.length === 0) return;
      const done: number[] = [];
      try {
        // publishes start in row order and run together; on the in-process bus each resolves
        // only once the consumers (events) have stored the event, so a row goes after that
        const results = await Promise.allSettled(
          rows.map((row) => this.bus.publish(row.subject, JSON.parse(row.data), { id: row.id, awaitHandled: true })),
        );
        results.forEach((r, i) => r.status === 'fulfilled' && done.push(rows[i]!.seq));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        this.failures = 0;
      } catch (err) {
        this.failures++;
        const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(this.failures - 1, 16));
        this.logger.warn({ err, failures: this.failures, retryInMs: delay, pending: rows.length - done.length }, 'outbox: publish failed, will retry');
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, delay);
        this.retryTimer.unref();
        return;
      } finally {
        if (done.length && this.db.open) this.removeMany(done);
      }
    }
  }
}
