import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { pino } from 'pino';
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import {
  InProcessBus, NatsJetStreamBus, createBus, groupConsumerName, subjectMatches,
  type Bus, type BusEvent, type BusSubscription,
} from '../src/bus/index.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomBytes(4).toString('hex');
/** One stream and subject prefix per test run, so runs (and the real ARGUS stream) never collide. */
const STREAM = `ARGUS_TEST_${RUN}`;
const PREFIX = `argustest_${RUN}`;
const silent = pino({ level: 'silent' });

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The test stream goes away with the run (every test bus is closed by its own afterEach first). */
afterAll(async () => {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(STREAM).catch(() => undefined);
  } finally {
    await nc.close();
  }
});

let seq = 0;
/** A fresh subject root / group name per test: the NATS stream is shared by the whole run. */
const unique = (name: string) => `${name}${++seq}`;

interface Harness {
  open(): Promise<Bus>;
}

function contract(name: string, harness: Harness) {
  describe(`${name}: bus contract`, () => {
    const opened: Bus[] = [];
    const open = async () => {
      const bus = await harness.open();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    it('broadcast: every subscriber gets every event', async () => {
      const bus = await open();
      const root = unique('fan');
      const a: BusEvent<{ n: number }>[] = [];
      const b: BusEvent<{ n: number }>[] = [];
      await bus.subscribe<{ n: number }>(`${root}.device.deleted`, (e) => void a.push(e));
      await bus.subscribe<{ n: number }>(`${root}.device.deleted`, (e) => void b.push(e));
      const published = [];
      for (let n = 0; n < 5; n++) published.push(await bus.publish(`${root}.device.deleted`, { n }));
      await waitFor(() => a.length === 5 && b.length === 5, 'both subscribers to get 5 events');
      for (const got of [a, b]) {
        expect(got.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4]);
        expect(got.map((e) => e.id)).toEqual(published.map((p) => p.id));
        expect(got.every((e) => e.subject === `${root}.device.deleted` && e.deliveryCount === 1)).toBe(true);
        expect(got[0]!.publishedAt).toBe(published[0]!.publishedAt);
      }
    });

    it('broadcast: wildcards match one token (*) and the rest (>)', async () => {
      const bus = await open();
      const root = unique('wild');
      const seen: Record<string, string[]> = { star: [], tail: [], exact: [], all: [] };
      await bus.subscribe(`${root}.device.*`, (e) => void seen.star!.push(e.subject));
      await bus.subscribe(`${root}.device.>`, (e) => void seen.tail!.push(e.subject));
      await bus.subscribe(`${root}.alarm.raised`, (e) => void seen.exact!.push(e.subject));
      await bus.subscribe(`${root}.>`, (e) => void seen.all!.push(e.subject));
      for (const s of ['device.deleted', 'device.channel.deleted', 'alarm.raised', 'alarm.cleared', 'device']) {
        await bus.publish(`${root}.${s}`, {});
      }
      await waitFor(() => seen.all!.length === 5, 'the catch-all subscriber to get all 5 events');
      expect(seen.star).toEqual([`${root}.device.deleted`]);
      expect(seen.tail).toEqual([`${root}.device.deleted`, `${root}.device.channel.deleted`]);
      expect(seen.exact).toEqual([`${root}.alarm.raised`]);
    });

    it('broadcast: unsubscribe stops delivery to that subscriber only', async () => {
      const bus = await open();
      const root = unique('unsub');
      const gone: string[] = [];
      const stays: string[] = [];
      const sub = await bus.subscribe<string>(`${root}.x`, (e) => void gone.push(e.data));
      await bus.subscribe<string>(`${root}.x`, (e) => void stays.push(e.data));
      await bus.publish(`${root}.x`, 'one');
      await waitFor(() => gone.length === 1 && stays.length === 1, 'first event');
      await sub.unsubscribe();
      await bus.publish(`${root}.x`, 'two');
      await waitFor(() => stays.length === 2, 'second event');
      expect(gone).toEqual(['one']);
    });

    it('work queue: each event goes to exactly one member of the group', async () => {
      const bus = await open();
      const root = unique('wq');
      const group = unique('workers');
      const byMember: Record<'a' | 'b', string[]> = { a: [], b: [] };
      await bus.subscribe(`${root}.job`, (e) => void byMember.a.push(e.id), { group });
      await bus.subscribe(`${root}.job`, (e) => void byMember.b.push(e.id), { group });
      const ids: string[] = [];
      for (let n = 0; n < 20; n++) ids.push((await bus.publish(`${root}.job`, { n })).id);
      await waitFor(() => byMember.a.length + byMember.b.length >= 20, '20 handled events');
      const handled = [...byMember.a, ...byMember.b];
      expect(handled).toHaveLength(20);
      expect(new Set(handled)).toEqual(new Set(ids));
    });

    it('work queue: a throwing handler gets the event again with deliveryCount 2', async () => {
      const bus = await open();
      const root = unique('retry');
      const counts: number[] = [];
      let succeeded: BusEvent | null = null;
      await bus.subscribe(
        `${root}.job`,
        (e) => {
          counts.push(e.deliveryCount);
          if (e.deliveryCount === 1) throw new Error('transient failure');
          succeeded = e;
        },
        { group: unique('retriers'), retryDelayMs: 50 },
      );
      const published = await bus.publish(`${root}.job`, { n: 1 });
      await waitFor(() => succeeded !== null, 'the redelivered event to succeed');
      expect(counts).toEqual([1, 2]);
      expect(succeeded!.id).toBe(published.id);
      expect(succeeded!.data).toEqual({ n: 1 });
    });

    it('work queue: two groups each get every event', async () => {
      const bus = await open();
      const root = unique('groups');
      const billing: number[] = [];
      const audit: number[] = [];
      await bus.subscribe<number>(`${root}.>`, (e) => void billing.push(e.data), { group: unique('billing') });
      await bus.subscribe<number>(`${root}.>`, (e) => void audit.push(e.data), { group: unique('audit') });
      for (let n = 0; n < 10; n++) await bus.publish(`${root}.thing.${n % 2 ? 'odd' : 'even'}`, n);
      await waitFor(() => billing.length === 10 && audit.length === 10, 'both groups to get 10 events');
      expect([...billing].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect([...audit].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });
}

contract('InProcessBus', { open: async () => new InProcessBus() });
contract('NatsJetStreamBus', {
  open: () => NatsJetStreamBus.connect(NATS_URL, { streamName: STREAM, subjectPrefix: PREFIX, logger: silent }),
});

describe('NatsJetStreamBus', () => {
  const opened: Bus[] = [];
  const open = async () => {
    const bus = await NatsJetStreamBus.connect(NATS_URL, { streamName: STREAM, subjectPrefix: PREFIX, logger: silent });
    opened.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  });

  it('keeps a group\'s events while no member runs and delivers them to the next member', async () => {
    const root = unique('durable');
    const group = unique('mailers');
    const first = await open();
    const sub = await first.subscribe(`${root}.mail`, () => undefined, { group });
    await sub.unsubscribe();
    await first.close();

    const publisher = await open();
    const ids = [];
    for (let n = 0; n < 3; n++) ids.push((await publisher.publish(`${root}.mail`, { n })).id);

    const later = await open();
    const got: BusEvent[] = [];
    await later.subscribe(`${root}.mail`, (e) => void got.push(e), { group });
    await waitFor(() => got.length === 3, 'the 3 events published while no member ran');
    expect(got.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(got.every((e) => e.subject === `${root}.mail` && e.deliveryCount === 1)).toBe(true);
  });

  it('two connections (two processes) share a group\'s work and both see broadcasts', async () => {
    const root = unique('procs');
    const group = unique('shared');
    const [p1, p2] = [await open(), await open()];
    const handled: Record<'p1' | 'p2', string[]> = { p1: [], p2: [] };
    const news: Record<'p1' | 'p2', string[]> = { p1: [], p2: [] };
    // concurrency 1 and a closed gate: while one process holds an event the next one must go to
    // the other process, which proves the group's work is shared between connections
    let gateOpen = false;
    const gate = async () => {
      await waitFor(() => gateOpen, 'the gate');
    };
    for (const [name, bus] of [['p1', p1], ['p2', p2]] as const) {
      await bus.subscribe(`${root}.work`, async (e) => {
        handled[name].push(e.id);
        await gate();
      }, { group, concurrency: 1 });
      await bus.subscribe<string>(`${root}.news.>`, (e) => void news[name].push(e.data));
    }
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) ids.push((await (n % 2 ? p2 : p1).publish(`${root}.work`, { n })).id);
    await waitFor(() => handled.p1.length >= 1 && handled.p2.length >= 1, 'both processes to take work');
    gateOpen = true;
    await waitFor(() => handled.p1.length + handled.p2.length >= 10, 'all 10 work events');
    const all = [...handled.p1, ...handled.p2];
    expect(all).toHaveLength(10);
    expect(new Set(all)).toEqual(new Set(ids));

    await p1.publish(`${root}.news.from.p1`, 'hello from p1');
    await p2.publish(`${root}.news.from.p2`, 'hello from p2');
    await waitFor(() => news.p1.length === 2 && news.p2.length === 2, 'both processes to see both broadcasts');
    expect([...news.p1].sort()).toEqual(['hello from p1', 'hello from p2']);
    expect([...news.p2].sort()).toEqual(['hello from p1', 'hello from p2']);
  });

  // InProcessBus starts every delivery at once; concurrency is a NATS member's pull limit
  it('work queue: honours concurrency', async () => {
    const bus = await open();
    const root = unique('conc');
    let running = 0;
    let peak = 0;
    let done = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await bus.subscribe(
      `${root}.job`,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await gate;
        running--;
        done++;
      },
      { group: unique('limited'), concurrency: 2 },
    );
    for (let n = 0; n < 6; n++) await bus.publish(`${root}.job`, n);
    await waitFor(() => running === 2, 'two handlers running');
    release();
    await waitFor(() => done === 6, 'all six handled');
    expect(peak).toBe(2);
  });

  it('deduplicates a re-published event id (Nats-Msg-Id)', async () => {
    const bus = await open();
    const root = unique('dedupe');
    const work: string[] = [];
    const seen: string[] = [];
    await bus.subscribe(`${root}.x`, (e) => void work.push(e.id), { group: unique('once') });
    await bus.subscribe(`${root}.x`, (e) => void seen.push(e.id));
    await bus.publish(`${root}.x`, 1, { id: 'evt_same' });
    await bus.publish(`${root}.x`, 1, { id: 'evt_same' });
    const marker = await bus.publish(`${root}.x`, 2);
    await waitFor(() => work.includes(marker.id) && seen.includes(marker.id), 'the marker event');
    expect(work.filter((id) => id === 'evt_same')).toHaveLength(1);
    expect(seen.filter((id) => id === 'evt_same')).toHaveLength(1);
  });

  it('gives up after maxDeliveries', async () => {
    const bus = await open();
    const root = unique('poison');
    const counts: number[] = [];
    await bus.subscribe(`${root}.x`, (e) => {
      counts.push(e.deliveryCount);
      if (e.data === 'poison') throw new Error('always fails');
    }, { group: unique('giveup'), retryDelayMs: 20, maxDeliveries: 3 });
    await bus.publish(`${root}.x`, 'poison');
    await waitFor(() => counts.length === 3, 'three deliveries');
    // the group moves on: a later event is handled, the poison one is not seen a fourth time
    await bus.publish(`${root}.x`, 'fine');
    await waitFor(() => counts.length === 4, 'the next event');
    expect(counts).toEqual([1, 2, 3, 1]);
  });

  it('names durable consumers after prefix and group, sanitised', () => {
    expect(groupConsumerName('devices-cleanup')).toBe('argus_devices-cleanup');
    expect(groupConsumerName('devices-cleanup', 'staging')).toBe('staging_devices-cleanup');
    const dotted = groupConsumerName('media.thumbnails');
    expect(dotted).toMatch(/^argus_media_thumbnails_[0-9a-f]{10}$/);
    expect(dotted).not.toBe(groupConsumerName('media_thumbnails'));
    expect(groupConsumerName('c', 'a_b')).not.toBe(groupConsumerName('b_c', 'a'));
    expect(groupConsumerName('x'.repeat(200)).length).toBeLessThanOrEqual(64);
  });

  it('createBus picks the implementation from the url', async () => {
    const memory = await createBus('memory');
    expect(memory).toBeInstanceOf(InProcessBus);
    await memory.close();
    const nats = await createBus(NATS_URL, silent, { streamName: STREAM, subjectPrefix: PREFIX });
    opened.push(nats);
    expect(nats).toBeInstanceOf(NatsJetStreamBus);
    expect(nats.kind).toBe('nats');
  });

  it('close() stops the bus and leaves nothing running', async () => {
    const bus = await open();
    const subs: BusSubscription[] = [];
    subs.push(await bus.subscribe(`${unique('closing')}.x`, () => undefined));
    subs.push(await bus.subscribe(`${unique('closing')}.y`, () => undefined, { group: unique('closers') }));
    await bus.close();
    await expect(bus.publish('a.b', 1)).rejects.toThrow(/closed/);
    await Promise.all(subs.map((s) => s.unsubscribe())); // harmless after close
  });
});

describe('subjectMatches', () => {
  it('matches tokens, * and >', () => {
    expect(subjectMatches('device.deleted', 'device.deleted')).toBe(true);
    expect(subjectMatches('device.*', 'device.deleted')).toBe(true);
    expect(subjectMatches('device.*', 'device.channel.deleted')).toBe(false);
    expect(subjectMatches('device.>', 'device.channel.deleted')).toBe(true);
    expect(subjectMatches('device.>', 'device')).toBe(false);
  });
});
