import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy, DeliverPolicy, DiscardPolicy, Events, JSONCodec, RetentionPolicy, StorageType,
  connect, nanos,
  type Consumer, type ConsumerConfig, type ConsumerMessages, type JetStreamClient, type JetStreamManager,
  type JsMsg, type NatsConnection, type NatsError,
} from 'nats';
import type { Logger } from 'pino';
import { newId } from '../ids.js';
import { createLogger } from '../logger.js';
import {
  assertSubject, subjectMatches,
  type Bus, type BusEvent, type BusHandler, type BusSubscription, type PublishOptions, type SubscribeOptions,
} from './types.js';

export interface NatsJetStreamBusOptions {
  /** JetStream stream holding every Argus event (default "ARGUS"). */
  streamName?: string;
  /** Subject prefix on the wire: `device.deleted` travels as `<prefix>.device.deleted` (default "argus"). */
  subjectPrefix?: string;
  logger?: Logger;
}

/** What goes over the wire: the event without its per-delivery `deliveryCount`. */
interface Envelope<T = unknown> {
  id: string;
  subject: string;
  data: T;
  publishedAt: number;
}

interface BroadcastListener {
  pattern: string;
  handler: BusHandler<any>;
}

/** The process-wide broadcast feed: one ordered consumer, dispatched locally to every listener. */
interface Feed {
  consumer: Consumer;
  messages: ConsumerMessages;
}

interface GroupMember {
  stop(): Promise<void>;
}

const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/** Server-side ack deadline; long handlers keep their message with `working()` every third of it. */
const ACK_WAIT_MS = 30_000;
/** Lifetime of one pull request (fetch) — idle members re-pull this often. */
const PULL_EXPIRES_MS = 30_000;
const STREAM_NAME_RE = /^[A-Za-z0-9_-]+$/;

/** JetStream API error codes we react to. */
const ERR_STREAM_NOT_FOUND = 10059;
const ERR_STREAM_NAME_IN_USE = 10058;
const ERR_CONSUMER_NOT_FOUND = 10014;
const ERR_CONSUMER_NAME_EXISTS = 10013;
const ERR_CONSUMER_ALREADY_EXISTS = 10105;

function apiErrorCode(err: unknown): number | undefined {
  return (err as NatsError | undefined)?.api_error?.err_code;
}

/**
 * Durable consumer name for a work-queue group: `<prefix>_<group>`, e.g. `argus_devices-cleanup`.
 * The prefix is part of the name because one stream may carry several prefixes (deployments), and
 * their groups must not share a consumer. JetStream names may not contain `.`, `*`, `>`, whitespace
 * or path separators: anything outside `[A-Za-z0-9_-]` becomes `_`, and whenever the plain name
 * could be ambiguous (something was replaced, the prefix has a `_`, or it is too long) a short hash
 * of the exact prefix and group is appended, so `a.b` and `a_b` stay distinct.
 */
export function groupConsumerName(group: string, subjectPrefix = 'argus'): string {
  if (!group) throw new Error('bus group name must not be empty');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  const name = `${clean(subjectPrefix)}_${clean(group)}`;
  const exact = clean(group) === group && /^[A-Za-z0-9-]+$/.test(subjectPrefix) && name.length <= 64;
  if (exact) return name;
  const hash = createHash('sha256').update(`${subjectPrefix}\u0000${group}`).digest('hex').slice(0, 10);
  return `${name.slice(0, 48)}_${hash}`;
}

/**
 * The scale-mode bus: NATS JetStream. One durable, file-backed stream (default `ARGUS`) holds every
 * event published under `<prefix>.>` for seven days, deduplicated by event id over two minutes
 * (`Nats-Msg-Id`).
 *
 * - Broadcast subscriptions share one ordered consumer per bus instance (`DeliverPolicy.New`,
 *   filter `<prefix>.>`), created with the first broadcast subscriber and removed with the last;
 *   every event it reads is handed to each local listener whose pattern matches. Ordered consumers
 *   read the stream, so listeners see only events the stream stored (publisher retries deduplicated,
 *   failed publishes never seen) and resume without a gap after a reconnect or server restart.
 * - Work-queue subscriptions are members of a durable pull consumer named after the group (see
 *   `groupConsumerName`), with explicit acks; each member pulls only as many events as it has free
 *   `concurrency` slots, so the work spreads over every member in every process.
 */
export class NatsJetStreamBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly jc = JSONCodec<Envelope>();
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly listeners = new Set<BroadcastListener>();
  private feed: Feed | null = null;
  private feedLock: Promise<unknown> = Promise.resolve();
  private readonly members = new Set<GroupMember>();
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    readonly streamName: string,
    readonly subjectPrefix: string,
    private readonly log: Logger,
  ) {}

  static async connect(url: string, options: NatsJetStreamBusOptions = {}): Promise<NatsJetStreamBus> {
    const streamName = options.streamName ?? 'ARGUS';
    const prefix = options.subjectPrefix ?? 'argus';
    if (!STREAM_NAME_RE.test(streamName)) throw new Error(`invalid NATS stream name "${streamName}"`);
    assertSubject(prefix, false);
    const log = (options.logger ?? createLogger('bus')).child({ component: 'nats-bus', stream: streamName });
    const servers = url.split(',').map((s) => s.trim()).filter(Boolean);
    const nc = await connect({
      servers,
      name: `argus-${process.pid}`,
      maxReconnectAttempts: -1, // a service keeps trying; publishes fail fast meanwhile
      reconnectTimeWait: 1000,
    });
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStream(jsm, streamName, `${prefix}.>`, log);
      const bus = new NatsJetStreamBus(nc, jsm, nc.jetstream(), streamName, prefix, log);
      bus.watchConnection();
      return bus;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  async publish<T>(subject: string, data: T, options: PublishOptions = {}): Promise<BusEvent<T>> {
    if (this.closed) throw new Error('bus is closed');
    assertSubject(subject, false);
    const envelope: Envelope<T> = { id: options.id ?? newId('evt'), subject, data, publishedAt: Date.now() };
    const ack = await this.js.publish(this.wire(subject), this.jc.encode(envelope), {
      msgID: envelope.id, // Nats-Msg-Id: the stream drops a repeat within the duplicate window
      expect: { streamName: this.streamName },
    });
    if (ack.duplicate) this.log.debug({ subject, id: envelope.id }, 'duplicate publish ignored by the stream');
    return { ...envelope, deliveryCount: 1 };
  }

  async subscribe<T>(pattern: string, handler: BusHandler<T>, options: SubscribeOptions = {}): Promise<BusSubscription> {
    if (this.closed) throw new Error('bus is closed');
    assertSubject(pattern, true);
    if (options.group !== undefined) return this.subscribeGroup(pattern, handler as BusHandler<unknown>, options);

    const listener: BroadcastListener = { pattern, handler };
    await this.withFeedLock(async () => {
      await this.startFeed();
      this.listeners.add(listener);
    });
    let done = false;
    return {
      unsubscribe: async () => {
        if (done) return;
        done = true;
        this.listeners.delete(listener);
        await this.withFeedLock(async () => {
          if (this.listeners.size === 0) await this.stopFeed();
        });
      },
    };
  }

  /** Stops every consumer, lets running handlers finish (and ack), then drains the connection. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = (async () => {
        await Promise.allSettled([...this.members].map((m) => m.stop()));
        this.listeners.clear();
        await this.withFeedLock(() => this.stopFeed()).catch(() => undefined);
        while (this.pending.size) await Promise.allSettled([...this.pending]);
        if (!this.nc.isClosed()) {
          await this.nc.drain().catch((err) => this.log.warn({ err }, 'NATS drain failed'));
        }
      })();
    }
    return this.closing;
  }

  // ---- broadcast -------------------------------------------------------------------------------

  private withFeedLock<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.feedLock.then(fn, fn);
    this.feedLock = run.catch(() => undefined);
    return run;
  }

  private async startFeed(): Promise<void> {
    if (this.feed) return;
    const consumer = await this.js.consumers.get(this.streamName, {
      name_prefix: 'argus_broadcast_',
      filterSubjects: `${this.subjectPrefix}.>`,
      deliver_policy: DeliverPolicy.New,
    });
    // consume() resolves once the server-side consumer exists: from here on every stored event arrives.
    const messages = await consumer.consume({
      max_messages: 256,
      expires: PULL_EXPIRES_MS,
      callback: (m) => this.onBroadcast(m),
    });
    this.feed = { consumer, messages };
  }

  private async stopFeed(): Promise<void> {
    const feed = this.feed;
    if (!feed) return;
    this.feed = null;
    feed.messages.stop();
    // ordered consumers are ephemeral and expire on their own; deleting just frees them at once
    await feed.consumer.delete().catch(() => undefined);
  }

  private onBroadcast(m: JsMsg): void {
    let event: BusEvent<unknown>;
    try {
      event = this.decode(m, 1);
    } catch (err) {
      this.log.warn({ err, subject: m.subject }, 'undecodable bus event skipped');
      return;
    }
    for (const l of this.listeners) {
      if (!subjectMatches(l.pattern, event.subject)) continue;
      this.track(
        (async () => {
          try {
            await l.handler(event);
          } catch (err) {
            this.log.warn({ err, subject: event.subject, id: event.id }, 'broadcast bus handler failed');
          }
        })(),
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  // ---- work queue ------------------------------------------------------------------------------

  private async subscribeGroup(pattern: string, handler: BusHandler<unknown>, options: SubscribeOptions): Promise<BusSubscription> {
    const group = options.group!;
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
    const retryDelayMs = Math.max(0, options.retryDelayMs ?? 1000);
    const maxDeliveries = Math.max(1, Math.floor(options.maxDeliveries ?? 10));
    const durable = groupConsumerName(group, this.subjectPrefix);
    await this.ensureGroupConsumer(durable, group, pattern, maxDeliveries);
    let consumer: Consumer | null = await this.js.consumers.get(this.streamName, durable);

    const log = this.log.child({ group, pattern });
    const abort = new AbortController();
    const tasks = new Set<Promise<void>>();
    let running = true;
    let inflight = 0;
    let fetching: ConsumerMessages | null = null;
    let wakeUp: (() => void) | null = null;
    const wake = () => {
      const w = wakeUp;
      wakeUp = null;
      w?.();
    };

    const dispatch = (m: JsMsg) => {
      inflight++;
      const task = this.handleWork(m, handler, pattern, retryDelayMs, maxDeliveries, log).finally(() => {
        inflight--;
        tasks.delete(task);
        wake();
      });
      tasks.add(task);
    };

    const loop = (async () => {
      let failures = 0;
      while (running) {
        try {
          while (running && inflight >= concurrency) await new Promise<void>((r) => (wakeUp = r));
          if (!running) break;
          consumer ??= await this.js.consumers.get(this.streamName, durable);
          // pull exactly as many events as there are free slots: nothing waits in a local buffer
          // while another member is idle, and no ack deadline runs for an event not yet started
          fetching = await consumer.fetch({ max_messages: concurrency - inflight, expires: PULL_EXPIRES_MS });
          if (!running) fetching.stop(); // stopped while the pull was being set up
          for await (const m of fetching) {
            if (running) dispatch(m);
            else safely(() => m.nak()); // arrived while stopping: straight back to the group
          }
          fetching = null;
          failures = 0;
        } catch (err) {
          fetching = null;
          if (!running || this.nc.isClosed()) break;
          failures++;
          log.warn({ err, failures }, 'bus work-queue pull failed, retrying');
          consumer = null;
          // the consumer may have been deleted from under us: put it back (idempotent)
          await this.ensureGroupConsumer(durable, group, pattern, maxDeliveries).catch(() => undefined);
          await sleep(Math.min(30_000, 200 * 2 ** Math.min(failures, 8)), undefined, { signal: abort.signal }).catch(() => undefined);
        }
      }
    })();

    let stopping: Promise<void> | null = null;
    const member: GroupMember = {
      stop: () => {
        stopping ??= (async () => {
          running = false;
          abort.abort();
          fetching?.stop();
          wake();
          await loop;
          while (tasks.size) await Promise.allSettled([...tasks]);
          this.members.delete(member);
          // make sure the server has our acks and the pull inbox's UNSUB before we return
          if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
        })();
        return stopping;
      },
    };
    this.members.add(member);
    return { unsubscribe: () => member.stop() };
  }

  private async handleWork(
    m: JsMsg, handler: BusHandler<unknown>, pattern: string, retryDelayMs: number, maxDeliveries: number, log: Logger,
  ): Promise<void> {
    const deliveryCount = m.info.deliveryCount;
    let event: BusEvent<unknown>;
    try {
      event = this.decode(m, deliveryCount);
    } catch (err) {
      log.error({ err, subject: m.subject, seq: m.seq }, 'undecodable bus event terminated');
      safely(() => m.term());
      return;
    }
    const fail = (err: unknown, reason: string) => {
      if (deliveryCount >= maxDeliveries) {
        log.error({ err, subject: event.subject, id: event.id, deliveryCount }, `bus event dropped after ${deliveryCount} deliveries: ${reason}`);
        safely(() => m.term());
      } else {
        log.warn({ err, subject: event.subject, id: event.id, deliveryCount }, `bus event will be redelivered: ${reason}`);
        safely(() => m.nak(retryDelayMs));
      }
    };
    if (!subjectMatches(pattern, event.subject)) {
      // only when another deployment changed the group's filter subject: leave it to a member that wants it
      fail(undefined, `subject does not match this member's pattern "${pattern}"`);
      return;
    }
    const keepAlive = setInterval(() => safely(() => m.working()), ACK_WAIT_MS / 3);
    try {
      await handler(event);
      safely(() => m.ack());
    } catch (err) {
      fail(err, 'handler failed');
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Creates the group's durable pull consumer, or brings an existing one in line (filter subject,
   * max deliveries). Safe when several processes start the same group at once.
   */
  private async ensureGroupConsumer(durable: string, group: string, pattern: string, maxDeliveries: number): Promise<void> {
    const desired: Partial<ConsumerConfig> = {
      durable_name: durable,
      description: `argus work-queue group "${group}"`,
      ack_policy: AckPolicy.Explicit,
      // a new group starts with events published from now on; from then on the durable remembers
      // its position, so events published while no member runs wait for the next one
      deliver_policy: DeliverPolicy.New,
      filter_subject: this.wire(pattern),
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: maxDeliveries,
    };
    for (let attempt = 0; ; attempt++) {
      let info;
      try {
        info = await this.jsm.consumers.info(this.streamName, durable);
      } catch (err) {
        if (apiErrorCode(err) !== ERR_CONSUMER_NOT_FOUND) throw err;
      }
      if (!info) {
        try {
          await this.jsm.consumers.add(this.streamName, desired);
          return;
        } catch (err) {
          const code = apiErrorCode(err);
          // another process created it first: go round and reconcile
          if ((code === ERR_CONSUMER_NAME_EXISTS || code === ERR_CONSUMER_ALREADY_EXISTS) && attempt < 5) continue;
          throw err;
        }
      }
      const cfg = info.config;
      if (cfg.ack_policy !== AckPolicy.Explicit || cfg.deliver_subject) {
        throw new Error(`NATS consumer "${durable}" on stream ${this.streamName} is not an explicit-ack pull consumer; delete it or pick another group name`);
      }
      const changes: Partial<ConsumerConfig> = {};
      if ((cfg.filter_subject ?? '') !== desired.filter_subject) changes.filter_subject = desired.filter_subject;
      if (cfg.max_deliver !== desired.max_deliver) changes.max_deliver = desired.max_deliver;
      if (cfg.ack_wait !== desired.ack_wait) changes.ack_wait = desired.ack_wait;
      if (Object.keys(changes).length === 0) return;
      if (changes.filter_subject) {
        this.log.warn({ group, from: cfg.filter_subject, to: changes.filter_subject }, 'bus group changes its subject filter');
      }
      try {
        await this.jsm.consumers.update(this.streamName, durable, changes);
      } catch (err) {
        throw new Error(
          `cannot update NATS consumer "${durable}" for group "${group}" (${JSON.stringify(changes)}): ${(err as Error).message}`,
          { cause: err },
        );
      }
      return;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private wire(subject: string): string {
    return `${this.subjectPrefix}.${subject}`;
  }

  private decode(m: JsMsg, deliveryCount: number): BusEvent<unknown> {
    const env = this.jc.decode(m.data) as Partial<Envelope>;
    const head = `${this.subjectPrefix}.`;
    const subject = m.subject.startsWith(head) ? m.subject.slice(head.length) : m.subject;
    return {
      id: typeof env.id === 'string' ? env.id : (m.headers?.get('Nats-Msg-Id') || `seq_${m.seq}`),
      subject,
      data: env.data,
      publishedAt: typeof env.publishedAt === 'number' ? env.publishedAt : Math.floor(m.info.timestampNanos / 1e6),
      deliveryCount,
    };
  }

  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === Events.Disconnect) this.log.warn({ server: s.data }, 'NATS disconnected');
        else if (s.type === Events.Reconnect) this.log.info({ server: s.data }, 'NATS reconnected');
        else if (s.type === Events.Error) this.log.error({ err: s.data }, 'NATS connection error');
      }
    })().catch(() => undefined);
    void this.nc.closed().then((err) => {
      if (err && !this.closed) this.log.error({ err }, 'NATS connection closed');
    });
  }
}

/**
 * Makes sure `streamName` exists and captures `subject` (e.g. `argus.>`). Idempotent and safe when
 * several processes start at once: a lost create race or a concurrent update just goes round again.
 * Existing limits are left alone (operators may tune them); subjects already covered by `subject`
 * are folded into it so the stream's subjects never overlap.
 */
async function ensureStream(jsm: JetStreamManager, streamName: string, subject: string, log: Logger): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    let info;
    try {
      info = await jsm.streams.info(streamName);
    } catch (err) {
      if (apiErrorCode(err) !== ERR_STREAM_NOT_FOUND) throw err;
    }
    if (!info) {
      try {
        await jsm.streams.add({
          name: streamName,
          subjects: [subject],
          description: 'Argus domain events',
          storage: StorageType.File,
          retention: RetentionPolicy.Limits,
          discard: DiscardPolicy.Old,
          max_age: nanos(MAX_AGE_MS),
          duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        });
        log.info({ subject }, 'created NATS stream');
        return;
      } catch (err) {
        if (apiErrorCode(err) === ERR_STREAM_NAME_IN_USE) continue; // someone else was quicker
        throw err;
      }
    }
    const subjects = info.config.subjects ?? [];
    if (subjects.some((s) => subjectMatches(s, subject))) return;
    const next = [subject, ...subjects.filter((s) => !subjectMatches(subject, s))];
    try {
      await jsm.streams.update(streamName, { subjects: next });
      log.info({ subjects: next }, 'updated NATS stream subjects');
    } catch (err) {
      if (attempt >= 7) throw err;
      log.debug({ err }, 'stream update raced, retrying');
    }
    // go round: re-read, so a concurrent update by another process cannot silently drop ours
  }
  throw new Error(`could not make NATS stream ${streamName} capture ${subject}`);
}

/** Acks on a connection that is closing throw; the server redelivers anyway. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    /* connection closed */
  }
}
