/**
 * The embedded default's outbox: a SQLite file (WAL, synchronous=FULL) written before the device is
 * answered, and a relay that publishes its rows to the bus in order and deletes them once the
 * publish resolved (on the in-process bus: once the consumers handled it). The relay does not wait
 * for one batch's consumers before publishing the next: up to MAX_PASSES batches are in flight, so
 * a new alarm reaches live subscribers while earlier ones are still being stored and metered.
 * A failed publish is retried with exponential backoff (from the oldest row not yet deleted); rows
 * left by a crash or a bus outage are published when the outbox starts again. Delivery is at least
 * once: a crash between publish and delete re-publishes the row with the same event id.
 *
 * Appends made in the same turn of the event loop share one transaction (one fsync).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Bus, Logger } from '@argus/platform';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from './sqlite.js';
import type { Outbox, OutboxEvent } from './types.js';

/** Relay passes (batches published and not yet handled) at a time. */
const MAX_PASSES = 4;

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
  /** Highest seq handed to the bus by a pass still running or done. */
  private cursor = 0;
  private readonly passes = new Set<Promise<void>>();
  private failed: unknown = null;
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
    this.select = this.db.prepare('select seq, id, subject, data from outbox where seq > ? order by seq limit ?');
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
    while (this.passes.size) await Promise.allSettled([...this.passes]);
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

  /** Starts relay passes for rows not yet handed to the bus, up to MAX_PASSES at a time, unless a retry is due. */
  private kick(): void {
    if (!this.started || this.closed || this.retryTimer || this.failed) return;
    while (this.passes.size < MAX_PASSES && this.db.open) {
      const rows = this.select.all(this.cursor, this.batchSize) as Row[];
      if (rows.length === 0) return;
      this.cursor = rows[rows.length - 1]!.seq;
      const pass = this.publish(rows).finally(() => {
        this.passes.delete(pass);
        if (this.passes.size === 0 && this.failed) this.retryLater();
        else this.kick();
      });
      this.passes.add(pass);
    }
  }

  /** Publishes rows (in order; they run together) and deletes those the bus took. */
  private async publish(rows: Row[]): Promise<void> {
    // on the in-process bus each publish resolves only once the consumers (events) have stored the event
    const results = await Promise.allSettled(
      rows.map((row) => this.bus.publish(row.subject, JSON.parse(row.data), { id: row.id, awaitHandled: true })),
    );
    const done = rows.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.seq);
    if (done.length && this.db.open) this.removeMany(done);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.failed ??= failed.reason;
      this.logger.warn({ err: failed.reason, pending: rows.length - done.length }, 'outbox: publish failed, will retry');
    } else if (!this.failed) this.failures = 0;
  }

  /** After a failure, once no pass runs: start again from the oldest row left, after a backoff. */
  private retryLater(): void {
    this.failed = null;
    this.failures++;
    this.cursor = 0;
    const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(this.failures - 1, 16));
    this.logger.warn({ failures: this.failures, retryInMs: delay }, 'outbox: retrying unpublished events');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }
}
