import { z } from 'zod';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes, hkdfSync } from 'node:crypto';

export const SUBGRAPH_NAMES = ['identity', 'devices', 'media', 'events', 'billing'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z.string().refine((v) => protocols.some((p) => v.startsWith(p)), { message: `must start with ${protocols.join(' or ')}` });

/** Every setting Argus reads from the environment. Documented in .env.example. */
const schema = z.object({
  ARGUS_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: url(['postgres://', 'postgresql://', 'sqlite:']).optional(),
  BUS_URL: url(['memory', 'nats://']).default('memory'),
  REDIS_URL: url(['redis://', 'rediss://']).optional(),
  ARGUS_NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/).default('ARGUS'),
  ARGUS_NATS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('argus'),
  ARGUS_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length >= 32, { message: 'must be at least 32 bytes, base64 encoded' })
    .optional(),
  ARGUS_ADMIN_ACCESS_KEY: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/).optional(),
  ARGUS_ADMIN_SECRET_KEY: z.string().min(16).max(128).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86400).default(86400),
  SIGNATURE_WINDOW_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
  ARGUS_HOST: z.string().default('127.0.0.1'),
  GATEWAY_HOST: z.string().default('0.0.0.0'),
  GATEWAY_PORT: port.default(4000),
  GATEWAY_PUBLIC_URL: z.string().optional(),
  IDENTITY_PORT: port.default(4101),
  DEVICES_PORT: port.default(4102),
  MEDIA_PORT: port.default(4103),
  EVENTS_PORT: port.default(4104),
  BILLING_PORT: port.default(4105),
  IDENTITY_URL: url(['http://', 'https://']).optional(),
  DEVICES_URL: url(['http://', 'https://']).optional(),
  MEDIA_URL: url(['http://', 'https://']).optional(),
  EVENTS_URL: url(['http://', 'https://']).optional(),
  BILLING_URL: url(['http://', 'https://']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RawConfig = z.infer<typeof schema>;

export interface ArgusConfig extends RawConfig {
  dataDir: string;
  /** 'sqlite' unless DATABASE_URL names PostgreSQL. */
  database: { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };
  masterKey: Buffer;
  /** True when the master key was generated on this start (embedded first run). */
  masterKeyGenerated: boolean;
  portOf(name: SubgraphName): number;
  subgraphUrl(name: SubgraphName): string;
  /** Derives a purpose-bound key from the master key (HKDF-SHA256). */
  deriveKey(purpose: string): Buffer;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}\nsee .env.example for every setting`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates configuration. On the embedded default a missing master key is
 * generated once and kept in <data dir>/master.key; in scale mode (PostgreSQL or NATS)
 * every process must share ARGUS_MASTER_KEY, so it is required.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ArgusConfig {
  // an empty variable (FOO=) means "not set", as docker compose passes unset ones
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const raw = parsed.data;
  const dataDir = resolve(raw.ARGUS_DATA_DIR);
  const scaleMode = raw.BUS_URL.startsWith('nats://') || (raw.DATABASE_URL?.startsWith('postgres') ?? false);
  let masterKey: Buffer;
  let masterKeyGenerated = false;
  if (raw.ARGUS_MASTER_KEY) {
    masterKey = Buffer.from(raw.ARGUS_MASTER_KEY, 'base64');
  } else if (scaleMode) {
    throw new ConfigError(['ARGUS_MASTER_KEY: required when DATABASE_URL or BUS_URL select scale mode (all processes must share it)']);
  } else {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'master.key');
    if (existsSync(file)) {
      masterKey = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    } else {
      masterKey = randomBytes(32);
      writeFileSync(file, masterKey.toString('base64') + '\n', { mode: 0o600 });
      masterKeyGenerated = true;
    }
  }
  const database: ArgusConfig['database'] =
    raw.DATABASE_URL && raw.DATABASE_URL.startsWith('postgres')
      ? { kind: 'postgres', url: raw.DATABASE_URL }
      : { kind: 'sqlite', dir: raw.DATABASE_URL?.startsWith('sqlite:') ? resolve(raw.DATABASE_URL.slice(7)) : dataDir };
  const portOf = (name: SubgraphName) => raw[`${name.toUpperCase()}_PORT` as `IDENTITY_PORT`];
  return {
    ...raw,
    dataDir,
    database,
    masterKey,
    masterKeyGenerated,
    portOf,
    subgraphUrl: (name) =>
      raw[`${name.toUpperCase()}_URL` as `IDENTITY_URL`] ?? `http://127.0.0.1:${portOf(name)}/graphql`,
    deriveKey: (purpose) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `argus:${purpose}`, 32)),
  };
}
