/**
 * The HTTP push driver (shared/specs/camera-http-push-protocol.txt): cameras push keepalives,
 * alarms, events, TLV metadata, environment, temperature and snapshot reports over HTTP with
 * digest authentication. Devices are Argus devices of protocol HTTP_PUSH whose deviceCode is the
 * camera's id (User-Identify); reports become `alarm.raised`, presence `device.status`, refused
 * unknown codes `device.unknown`.
 */
import type { ServiceRuntime } from '@argus/platform';
import { createOutbox } from '../../outbox/index.js';
import type { Outbox } from '../../outbox/types.js';
import { httpPushConfigFromEnv, type HttpPushConfig } from './config.js';
import { DeviceRegistry } from './device-registry.js';
import { NonceStore } from './nonce-store.js';
import { PresenceTracker } from './presence.js';
import { createPushServer } from './server.js';

export { httpPushConfigFromEnv, type HttpPushConfig } from './config.js';
export { PUSH_ROUTES, matchRoute, type PushRoute, type PushKind } from './routes.js';
export { digestChallenge, digestResponse, parseDigestAuthorization, verifyDigest, type DigestCredentials } from './digest.js';
export { NonceStore } from './nonce-store.js';
export { PushErrorCode } from './envelope.js';
export * from './alarm-payload.js';

export interface HttpPushOptions extends Partial<HttpPushConfig> {
  /** Base URL of the devices subgraph's internal routes (default: DEVICES_URL without /graphql). */
  devicesUrl?: string;
  /** Outbox to store alarms in (default: createOutbox(runtime)). */
  outbox?: Outbox;
}

export interface HttpPushServer {
  /** The port bound (useful with HTTP_PUSH_PORT=0). */
  port: number;
  config: HttpPushConfig;
  outbox: Outbox;
  presence: PresenceTracker;
  registry: DeviceRegistry;
  close(): Promise<void>;
}

/** Starts the push server on HTTP_PUSH_HOST:HTTP_PUSH_PORT (options override the environment). */
export async function startHttpPush(runtime: ServiceRuntime, options: HttpPushOptions = {}): Promise<HttpPushServer> {
  const { devicesUrl, outbox: givenOutbox, ...overrides } = options;
  const config: HttpPushConfig = { ...httpPushConfigFromEnv(), ...overrides };
  const logger = runtime.logger.child({ service: 'access', part: 'http-push' });
  const registry = new DeviceRegistry({
    devicesUrl: (devicesUrl ?? runtime.config.subgraphUrl('devices')).replace(/\/graphql$/, '').replace(/\/$/, ''),
    signer: runtime.signer,
    bus: runtime.bus,
    logger,
    cacheMs: config.deviceCacheMs,
  });
  const presence = new PresenceTracker(runtime.bus, logger, config.keepaliveSeconds * config.missedKeepalives * 1000);
  const outbox = givenOutbox ?? createOutbox(runtime);
  const nonces = new NonceStore(runtime.config.deriveKey('http-push-nonce'), config.nonceTtlMs);
  const http = createPushServer({ config, logger, bus: runtime.bus, nonces, registry, presence, outbox });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await http.close();
      await presence.close();
      await registry.close();
      await outbox.close();
    })());
  try {
    await registry.start();
    await presence.start();
    await outbox.start();
    const port = await http.listen(config.port, config.host);
    logger.info({ port, host: config.host, outbox: outbox.kind }, 'HTTP push server listening');
    return { port, config, outbox, presence, registry, close };
  } catch (err) {
    await close();
    throw err;
  }
}
