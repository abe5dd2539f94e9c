import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CreateDeviceDocument, DevicesDocument } from '@argus/client';
import { MODES, startFixture, type Fixture } from './context.js';

/**
 * The gateway may share one upstream answer between identical in-flight queries. That must
 * only ever happen for the same caller: two tenants sending the very same query at the
 * same moment each get their own data.
 */
describe.each(MODES)('tenant isolation under concurrent identical queries (%s)', (mode) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(mode);
  });
  afterAll(async () => f?.close());

  it('never answers one tenant with another tenant\'s data', async () => {
    const a = await f.tenant('same-a');
    const b = await f.tenant('same-b');
    for (const [t, tag] of [[a, 'A'], [b, 'B']] as const) {
      for (let i = 0; i < 2; i++) {
        await t.client.request(CreateDeviceDocument, { input: { name: `cam ${tag}${i}`, protocol: 'RTSP', deviceCode: `SAME${tag}${i}`, channelCount: 1 } });
      }
    }
    const rounds = 40;
    const results = await Promise.all(
      Array.from({ length: rounds * 2 }, (_, i) => {
        const t = i % 2 === 0 ? a : b;
        return t.client.request(DevicesDocument, { first: 10 }).then((r) => ({ tenant: t.tenantId, r }));
      }),
    );
    for (const { tenant, r } of results) {
      expect(r.devices.totalCount).toBe(2);
      for (const e of r.devices.edges) expect(e.node.tenantId).toBe(tenant);
    }
  });
});
