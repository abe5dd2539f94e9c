import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const schema = z.object({
  /** Interface the push server binds (cameras reach it from the network). */
  HTTP_PUSH_HOST: z.string().default('0.0.0.0'),
  /** Port of the push server; 0 picks a free one (see the started server's `port`). */
  HTTP_PUSH_PORT: port.default(8090),
  /** How long a digest nonce may be reused (the spec's third strategy); then 401 with stale=true. */
  HTTP_PUSH_NONCE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(3600),
  /** Digest realm sent in challenges. */
  HTTP_PUSH_REALM: z.string().min(1).max(128).regex(/^[^"\\\r\n]+$/).default('argus'),
  /** keepinterval answered to keepalives (seconds). A device is offline after HTTP_PUSH_MISSED_KEEPALIVES of them pass in silence. */
  HTTP_PUSH_KEEPALIVE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  HTTP_PUSH_MISSED_KEEPALIVES: z.coerce.number().int().min(1).max(100).default(3),
  /** Largest request body accepted (pictures travel inline as base64). */
  HTTP_PUSH_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
  /** How long a device record looked up by code is reused (evicted early on device.updated/deleted). */
  HTTP_PUSH_DEVICE_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(600),
  /**
   * UTC offset (minutes, +480 for UTC+8) of the devices' clocks: the spec's times have no zone.
   * Unset: the times are read in this server's own time zone.
   */
  HTTP_PUSH_DEVICE_UTC_OFFSET_MINUTES: z.coerce.number().int().min(-840).max(840).optional(),
});

export interface HttpPushConfig {
  host: string;
  port: number;
  nonceTtlMs: number;
  realm: string;
  keepaliveSeconds: number;
  missedKeepalives: number;
  maxBodyBytes: number;
  deviceCacheMs: number;
  deviceUtcOffsetMinutes: number | null;
}

export function httpPushConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HttpPushConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`invalid HTTP push configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const c = parsed.data;
  return {
    host: c.HTTP_PUSH_HOST,
    port: c.HTTP_PUSH_PORT,
    nonceTtlMs: c.HTTP_PUSH_NONCE_TTL_SECONDS * 1000,
    realm: c.HTTP_PUSH_REALM,
    keepaliveSeconds: c.HTTP_PUSH_KEEPALIVE_SECONDS,
    missedKeepalives: c.HTTP_PUSH_MISSED_KEEPALIVES,
    maxBodyBytes: c.HTTP_PUSH_MAX_BODY_BYTES,
    deviceCacheMs: Math.round(c.HTTP_PUSH_DEVICE_CACHE_SECONDS * 1000),
    deviceUtcOffsetMinutes: c.HTTP_PUSH_DEVICE_UTC_OFFSET_MINUTES ?? null,
  };
}
