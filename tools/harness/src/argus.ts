import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';

/**
 * V8 flags every Argus process runs with: a 64 MiB young generation (semi-space), so the many
 * short-lived objects of a request or an alarm die young instead of being promoted and swept
 * with the old generation; at 1,000 alarms/s it cut the delivery p99 to about a third.
 */
export const ARGUS_NODE_FLAGS = ['--max-semi-space-size=64'];


const ROOT = resolve(import.meta.dirname, '../../..');
export const SUBGRAPHS = ['identity', 'devices', 'media', 'events', 'billing'] as const;

export type Mode = 'embedded' | 'scale';

export interface RunningArgus {
  dataDir: string;
  /** Every port this Argus listens on, by variable name (GATEWAY_PORT, MEDIA_RTMP_PORT, HTTP_PUSH_PORT, …). */
  ports: Record<string, number>;
  /** The master key every process of this Argus shares (tests forge expired tokens with it). */
  masterKey(): Buffer;
  mode: Mode;
  gatewayUrl: string;
  adminAccessKey: string;
  adminSecretKey: string;
  /** Direct subgraph URLs (for tests that must be refused). */
  subgraphUrls: Record<(typeof SUBGRAPHS)[number], string>;
  env: Record<string, string>;
  /** Starts one more gateway process on the same services (scale mode only). */
  startExtraGateway(): Promise<string>;
  /** Scale mode: stops one service's process (SIGTERM) and waits for it to exit. */
  stopService(name: string): Promise<void>;
  /** Scale mode: starts a stopped service again and waits until it is ready. */
  startService(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  mode?: Mode;
  /** Scale mode: PostgreSQL URL (a fresh database is created and dropped). */
  postgresUrl?: string;
  /** Scale mode: NATS URL. */
  natsUrl?: string;
  redisUrl?: string;
  env?: Record<string, string>;
}

const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Starts Argus as a user would: the embedded default (`node launcher/dist/embedded.js`) or
 * scale mode (one process per service on PostgreSQL + NATS JetStream + Redis), on free ports
 * and a throw-away data directory / database.
 */
export async function startArgus(options: StartOptions = {}): Promise<RunningArgus> {
  // a port found free can be taken by another process before Argus binds it: try again with new ports
  for (let attempt = 1; ; attempt++) {
    try {
      return await startArgusOnce(options);
    } catch (err) {
      if (attempt >= 4 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}

async function startArgusOnce(options: StartOptions): Promise<RunningArgus> {
  const mode = options.mode ?? 'embedded';
  const dataDir = mkdtempSync(join(tmpdir(), 'argus-test-'));
  const adminAccessKey = `AKtest${randomBytes(6).toString('hex')}`;
  const adminSecretKey = randomBytes(24).toString('base64url');
  const ports: Record<string, number> = { GATEWAY_PORT: await freePort() };
  for (const s of SUBGRAPHS) ports[`${s.toUpperCase()}_PORT`] = await freePort();
  for (const p of ['MEDIA_HTTP_PORT', 'MEDIA_RTMP_PORT', 'MEDIA_RTSP_PORT', 'HTTP_PUSH_PORT']) ports[p] = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ARGUS_DATA_DIR: dataDir,
    ARGUS_ADMIN_ACCESS_KEY: adminAccessKey,
    ARGUS_ADMIN_SECRET_KEY: adminSecretKey,
    GATEWAY_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.ARGUS_TEST_LOG_LEVEL ?? 'warn',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    MEDIA_HOST: '127.0.0.1',
    MEDIA_PUBLIC_URL: `http://127.0.0.1:${ports.MEDIA_HTTP_PORT}`,
    MEDIA_RTMP_URL: `rtmp://127.0.0.1:${ports.MEDIA_RTMP_PORT}`,
    MEDIA_RTSP_URL: `rtsp://127.0.0.1:${ports.MEDIA_RTSP_PORT}`,
    ...options.env,
  };
  let dbName: string | null = null;
  if (mode === 'scale') {
    dbName = `argus_test_${randomBytes(5).toString('hex')}`;
    await psql(PG_ADMIN_URL, `create database ${dbName}`);
    env.DATABASE_URL = (options.postgresUrl ?? PG_ADMIN_URL).replace(/\/[^/]*$/, `/${dbName}`);
    env.BUS_URL = options.natsUrl ?? 'nats://127.0.0.1:4222';
    env.REDIS_URL = options.redisUrl ?? 'redis://127.0.0.1:6379';
    env.ARGUS_MASTER_KEY = randomBytes(32).toString('base64');
    env.ARGUS_NATS_STREAM = `ARGUS_TEST_${randomBytes(4).toString('hex').toUpperCase()}`;
    env.ARGUS_NATS_PREFIX = `argustest${randomBytes(4).toString('hex')}`;
  }
  const children: ChildProcess[] = [];
  const byName = new Map<string, ChildProcess>();
  const gatewayUrl = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
  const spawnService = async (args: string[], extraEnv: Record<string, string> = {}, readyUrl?: string) => {
    // the same V8 flags `npm start` and the Dockerfile use (see README, "Two ways to run")
    const child = spawn(process.execPath, [...ARGUS_NODE_FLAGS, ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    if (args[1]) byName.set(args[1], child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    // ARGUS_HARNESS_LOG_DIR=<dir>: each service's output also goes to <dir>/<service>-<pid>.log
    if (process.env.ARGUS_HARNESS_LOG_DIR) {
      const log = createWriteStream(join(process.env.ARGUS_HARNESS_LOG_DIR, `${args[1] ?? 'embedded'}-${child.pid}.log`));
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
    }
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
      if (!readyUrl) return output.includes('Argus is running') || output.includes(`argus ${args[1]} ready`);
      try {
        return (await fetch(readyUrl)).ok;
      } catch {
        return false;
      }
    }, 60_000, () => `${args.join(' ')} did not become ready:\n${output}`);
    return child;
  };
  try {
    if (mode === 'embedded') {
      await spawnService(['launcher/dist/embedded.js']);
    } else {
      // the subgraphs side by side (each has its own schema), then the gateway that composes them, then the planes
      await Promise.all(SUBGRAPHS.map((s) => spawnService(['launcher/dist/service.js', s], {}, `http://127.0.0.1:${ports[`${s.toUpperCase()}_PORT`]}/readyz`)));
      await spawnService(['launcher/dist/service.js', 'gateway'], {}, `http://127.0.0.1:${ports.GATEWAY_PORT}/readyz`);
      await Promise.all([spawnService(['launcher/dist/service.js', 'access']), spawnService(['launcher/dist/service.js', 'media-server'])]);
    }
  } catch (err) {
    // leave nothing behind before the caller retries or fails
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName) await psql(PG_ADMIN_URL, `drop database if exists ${dbName} with (force)`).catch(() => undefined);
    if (mode === 'scale') await deleteNatsStream(env.BUS_URL!, env.ARGUS_NATS_STREAM!).catch(() => undefined);
    throw err;
  }
  const subgraphUrls = Object.fromEntries(
    SUBGRAPHS.map((s) => [s, `http://127.0.0.1:${ports[`${s.toUpperCase()}_PORT`]}/graphql`]),
  ) as RunningArgus['subgraphUrls'];
  return {
    ports,
    dataDir,
    masterKey: () =>
      Buffer.from(env.ARGUS_MASTER_KEY ?? readFileSync(join(dataDir, 'master.key'), 'utf8').trim(), 'base64'),
    mode,
    gatewayUrl,
    adminAccessKey,
    adminSecretKey,
    subgraphUrls,
    env,
    async startExtraGateway() {
      if (mode !== 'scale') throw new Error('extra gateways need scale mode');
      const port = await freePort();
      await spawnService(['launcher/dist/service.js', 'gateway'], { GATEWAY_PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
      return `http://127.0.0.1:${port}/graphql`;
    },
    async stopService(name) {
      const child = byName.get(name);
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    },
    async startService(name) {
      if (mode !== 'scale') throw new Error('single services run in scale mode only');
      const portVar = `${name.toUpperCase()}_PORT`;
      await spawnService(['launcher/dist/service.js', name], {}, ports[portVar] ? `http://127.0.0.1:${ports[portVar]}/readyz` : undefined);
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((r) => {
              if (c.exitCode !== null) return r();
              c.once('exit', () => r());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 8000).unref();
            }),
        ),
      );
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) await psql(PG_ADMIN_URL, `drop database if exists ${dbName} with (force)`);
      if (mode === 'scale') await deleteNatsStream(env.BUS_URL!, env.ARGUS_NATS_STREAM!);
    },
  };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, message: () => string = () => 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function psql(url: string, sql: string): Promise<void> {
  const pgModule = 'pg';
  const { default: pg } = (await import(pgModule)) as any;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function deleteNatsStream(url: string, stream: string): Promise<void> {
  const { connect } = await import('nats');
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
