/**
 * Test fixture for the HTTP push driver: a throw-away runtime (temp data dir, in-process bus or a
 * given one), a stub of the devices subgraph's /internal/devices/by-code route, the driver on an
 * ephemeral port, and a recorder of every bus event.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  INTERNAL_CONTEXT_HEADER, InProcessBus, createLogger, createRuntime, loadConfig,
  type Bus, type BusEvent, type ServiceRuntime,
} from '@argus/platform';
import { startHttpPush, type HttpPushOptions, type HttpPushServer } from '../src/drivers/http-push/index.js';
import type { PushDevice } from '../src/drivers/http-push/device-registry.js';
import { HttpPushCamera, type CameraOptions } from '../../test/sim/http-push-camera.js';

export interface DevicesStub {
  url: string;
  devices: Map<string, PushDevice | 'conflict'>;
  lookups: string[];
  /** Answer 503 to everything while true. */
  down: boolean;
  close(): Promise<void>;
}

export async function startDevicesStub(runtime: ServiceRuntime): Promise<DevicesStub> {
  const stub = { devices: new Map<string, PushDevice | 'conflict'>(), lookups: [] as string[], down: false } as DevicesStub;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const caller = runtime.signer.verify(req.headers[INTERNAL_CONTEXT_HEADER] as string | undefined);
    const m = /^\/internal\/devices\/by-code\/([^/]+)$/.exec(url.pathname);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!caller || caller.role !== 'SERVICE') return send(403, { error: 'INTERNAL_ONLY' });
    if (!m || url.searchParams.get('protocol') !== 'HTTP_PUSH') return send(404, { error: 'no route' });
    const code = decodeURIComponent(m[1]!);
    stub.lookups.push(code);
    if (stub.down) return send(503, { error: 'down' });
    const d = stub.devices.get(code);
    if (d === undefined) return send(404, { error: { code: 'NOT_FOUND' } });
    if (d === 'conflict') return send(409, { error: { code: 'CONFLICT' } });
    send(200, d);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
  return stub;
}

export interface PushFixture {
  runtime: ServiceRuntime;
  bus: Bus;
  dataDir: string;
  stub: DevicesStub;
  push: HttpPushServer;
  server: string;
  events: BusEvent<any>[];
  of(subject: string): BusEvent<any>[];
  camera(options: Partial<CameraOptions> & { deviceId: string; password: string }): HttpPushCamera;
  addDevice(code: string, device: Partial<PushDevice> & { password: string | null }): PushDevice;
  /** Restarts the driver on the same data dir (and, unless given, the same bus). */
  restart(options?: HttpPushOptions & { bus?: Bus }): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;

export async function startPushFixture(options: HttpPushOptions & { bus?: Bus; dataDir?: string } = {}): Promise<PushFixture> {
  const { bus: givenBus, dataDir: givenDir, ...pushOptions } = options;
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'argus-http-push-'));
  const makeRuntime = (bus: Bus) => createRuntime(loadConfig({ ARGUS_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent'), bus);
  let runtime = makeRuntime(givenBus ?? new InProcessBus());
  const events: BusEvent<any>[] = [];
  let recorder = await runtime.bus.subscribe('>', (e) => void events.push(e));
  const stub = await startDevicesStub(runtime);
  const base: HttpPushOptions = { port: 0, host: '127.0.0.1', devicesUrl: stub.url, ...pushOptions };
  let push = await startHttpPush(runtime, base);
  const f: PushFixture = {
    get runtime() {
      return runtime;
    },
    get bus() {
      return runtime.bus;
    },
    dataDir,
    stub,
    get push() {
      return push;
    },
    get server() {
      return `http://127.0.0.1:${push.port}`;
    },
    events,
    of: (subject) => events.filter((e) => e.subject === subject),
    camera: (o) => new HttpPushCamera({ server: f.server, ...o }),
    addDevice(code, d) {
      const device: PushDevice = {
        deviceId: d.deviceId ?? `dev_${code.replace(/[^A-Za-z0-9]/g, '')}${++seq}`,
        tenantId: d.tenantId ?? 'ten_1',
        name: d.name ?? `camera ${code}`,
        password: d.password,
        channels: d.channels ?? [{ id: `chn_${code.replace(/[^A-Za-z0-9]/g, '')}_1`, index: 1 }, { id: `chn_${code.replace(/[^A-Za-z0-9]/g, '')}_2`, index: 2 }],
      };
      stub.devices.set(code, device);
      return device;
    },
    async restart(o = {}) {
      const { bus, ...rest } = o;
      await push.close();
      if (bus) {
        await recorder.unsubscribe();
        runtime = makeRuntime(bus);
        recorder = await runtime.bus.subscribe('>', (e) => void events.push(e));
      }
      push = await startHttpPush(runtime, { ...base, ...rest });
    },
    async close() {
      await push.close();
      await recorder.unsubscribe();
      await stub.close();
      await runtime.bus.close();
      if (!givenDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return f;
}

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
