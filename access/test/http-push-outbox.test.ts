import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus, createLogger, type Bus, type BusEvent, type PublishOptions } from '@argus/platform';
import { SqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import type { Outbox } from '../src/outbox/types.js';
import { startPushFixture, until, sleep } from './http-push-fixture.js';

/** A bus whose alarm.raised publishes fail while `failing` (a bus outage, or "the relay is stopped"). */
class FlakyBus extends InProcessBus {
  failing = true;
  attempts = 0;
  override async publish<T>(subject: string, data: T, options?: PublishOptions): Promise<BusEvent<T>> {
    if (subject === 'alarm.raised') {
      this.attempts++;
      if (this.failing) throw new Error('bus down');
    }
    return super.publish(subject, data, options);
  }
}

const logger = createLogger('test', 'silent');

describe('outbox durability', () => {
  it('an alarm answered with success survives a bus outage and a restart: published when the driver starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'argus-outbox-'));
    const flaky = new FlakyBus();
    const f = await startPushFixture({ bus: flaky, dataDir });
    try {
      f.addDevice('DUR0001', { password: 'pw' });
      const cam = f.camera({ deviceId: 'DUR0001', password: 'pw' });
      const res = await cam.alarmReport({ alarm_uuid: 'DUR-1' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ method: 'alarm_report', error: { errorcode: 0, errormsg: '' } });
      expect((await cam.eventReport()).status).toBe(200);
      await until(() => flaky.attempts > 0, 2000, 'a publish attempt');
      expect(f.of('alarm.raised')).toEqual([]);
      expect(f.push.outbox.kind).toBe('sqlite');
      expect(f.push.outbox.pending()).toBe(2);

      // "restart": a new driver process on the same data directory, with a bus that works
      await f.restart({ bus: new InProcessBus() });
      await until(() => f.of('alarm.raised').length === 2, 3000, 'the stored alarms');
      const [a, b] = f.of('alarm.raised');
      expect(a!.data).toMatchObject({ type: 'ebike_detection', dedupeKey: 'DUR-1:START', status: 'START' });
      expect(b!.data).toMatchObject({ type: 'dual_parking_whitelist' });
      expect(a!.id).toMatch(/^evt_/);
      await until(() => f.push.outbox.pending() === 0, 2000, 'the outbox to empty');
      await sleep(100);
      expect(f.of('alarm.raised')).toHaveLength(2);
    } finally {
      await f.close();
      await flaky.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('retries with backoff while the driver keeps running, in order', async () => {
    const flaky = new FlakyBus();
    const f = await startPushFixture({ bus: flaky });
    try {
      f.addDevice('DUR0002', { password: 'pw' });
      const cam = f.camera({ deviceId: 'DUR0002', password: 'pw' });
      for (let i = 1; i <= 3; i++) expect((await cam.alarmReport({ alarm_uuid: `R-${i}` })).status).toBe(200);
      await until(() => flaky.attempts >= 2, 3000, 'retries');
      flaky.failing = false;
      await until(() => f.of('alarm.raised').length === 3, 5000, 'the alarms after the outage');
      expect(f.of('alarm.raised').map((e) => e.data.dedupeKey)).toEqual(['R-1:START', 'R-2:START', 'R-3:START']);
    } finally {
      await f.close();
    }
  });

  it('when the outbox cannot store, the camera gets 503 (retry), not success', async () => {
    const broken: Outbox = {
      kind: 'sqlite',
      append: async () => {
        throw new Error('disk full');
      },
      start: async () => undefined,
      close: async () => undefined,
      pending: () => 0,
    };
    const f = await startPushFixture({ outbox: broken });
    try {
      f.addDevice('DUR0003', { password: 'pw' });
      const res = await f.camera({ deviceId: 'DUR0003', password: 'pw' }).alarmReport();
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ method: 'alarm_report', error: { errorcode: -503 } });
      await sleep(50);
      expect(f.of('alarm.raised')).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('SqliteOutbox: stored before start, published in order with their ids after start, then deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-outbox-'));
    const file = join(dir, 'access-outbox.sqlite');
    try {
      const bus = new InProcessBus();
      const first = new SqliteOutbox(file, bus, logger);
      await first.append([{ id: 'evt_1', subject: 'alarm.raised', data: { n: 1 } }, { id: 'evt_2', subject: 'alarm.raised', data: { n: 2 } }]);
      await first.append([{ id: 'evt_3', subject: 'alarm.raised', data: { n: 3 } }, { id: 'evt_1', subject: 'alarm.raised', data: { n: 99 } }]);
      expect(first.pending()).toBe(3); // a repeated id is stored once
      await first.close();

      const got: BusEvent<{ n: number }>[] = [];
      await bus.subscribe<{ n: number }>('alarm.raised', (e) => void got.push(e));
      const second = new SqliteOutbox(file, bus as Bus, logger);
      await second.start();
      await until(() => got.length === 3, 2000, 'relay');
      expect(got.map((e) => [e.id, e.data.n])).toEqual([['evt_1', 1], ['evt_2', 2], ['evt_3', 3]]);
      await until(() => second.pending() === 0, 2000, 'delete');
      await second.close();
      await expect(second.append([{ id: 'x', subject: 'alarm.raised', data: {} }])).rejects.toThrow(/closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
