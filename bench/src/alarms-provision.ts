/**
 * bench/alarms set-up through the typed client: a tenant, an app and its token, N HTTP_PUSH devices
 * (1 channel each) created concurrently; and the gateway subscriber waiting until alarmRaised is live.
 */
import { performance } from 'node:perf_hooks';
import type { RunningArgus } from '@argus/harness';
import {
  createArgusClient, requestAccessToken, CreateAppDocument, CreateDeviceDocument, CreateTenantDocument, DevicesDocument,
  RaiseAlarmDocument, type ArgusClient,
} from '@argus/client';

export interface BenchTenant {
  tenantId: string;
  client: ArgusClient;
  token: string;
  close(): Promise<void>;
}

export async function createBenchTenant(argus: RunningArgus, name: string): Promise<BenchTenant> {
  const { accessToken: adminToken } = await requestAccessToken(argus.gatewayUrl, argus.adminAccessKey, argus.adminSecretKey);
  const admin = createArgusClient({ url: argus.gatewayUrl, token: adminToken });
  const { createTenant } = await admin.request(CreateTenantDocument, { name });
  const { createApp } = await admin.request(CreateAppDocument, { tenantId: createTenant.id, name: 'bench-alarms' });
  await admin.close();
  const { accessToken } = await requestAccessToken(argus.gatewayUrl, createApp.accessKey, createApp.secretKey, 24 * 3600);
  const client = createArgusClient({ url: argus.gatewayUrl, token: accessToken });
  return { tenantId: createTenant.id, client, token: accessToken, close: () => client.close() };
}

export interface BenchDevice {
  id: string;
  code: string;
  password: string;
  channelId: string;
}

/** Creates `count` HTTP_PUSH devices, `concurrency` createDevice mutations at a time. */
export async function createPushDevices(client: ArgusClient, count: number, prefix: string, concurrency = 32): Promise<{ devices: BenchDevice[]; seconds: number; errors: number }> {
  const devices: BenchDevice[] = new Array(count);
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const code = `${prefix}${String(i).padStart(6, '0')}`;
        const password = `pw-${i}-${prefix}`;
        for (let attempt = 0; ; attempt++) {
          try {
            const { createDevice } = await client.request(CreateDeviceDocument, {
              input: { name: `bench cam ${i}`, protocol: 'HTTP_PUSH', deviceCode: code, password, channelCount: 1, vendor: 'bench' },
            });
            devices[i] = { id: createDevice.id, code, password, channelId: createDevice.channels[0]!.id };
            break;
          } catch (err) {
            errors++;
            if (attempt >= 3) throw new Error(`createDevice ${code} failed: ${String(err)}`);
            await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
          }
        }
        if ((i + 1) % 1000 === 0) process.stderr.write(`  created ${i + 1}/${count} devices\n`);
      }
    }),
  );
  return { devices, seconds: (performance.now() - started) / 1000, errors };
}

/** devices(filter: { status: ONLINE }).totalCount */
export async function onlineCount(client: ArgusClient): Promise<number> {
  const { devices } = await client.request(DevicesDocument, { filter: { status: 'ONLINE' }, first: 1 });
  return devices.totalCount;
}

/** Raises probe alarms (raiseAlarm) until `seen(probeDescription)` says one came through the subscription. */
export async function waitSubscriptionLive(client: ArgusClient, channelId: string, seen: (description: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const description = `probe ${i}`;
    await client.request(RaiseAlarmDocument, { input: { channelId, type: 'MANUAL', level: 'INFO', status: 'PULSE', description } });
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      if (seen(description)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (Date.now() > deadline) throw new Error('the alarmRaised subscription never went live');
  }
}
