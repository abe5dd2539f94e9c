/**
 * The HTTP server of the push protocol. Per request:
 *   route → digest credentials → body (bounded) → device by User-Identify → password check →
 *   nonce freshness → presence → report handler → durable outbox → success envelope.
 * Anything refused is answered with the error envelope and stores nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServiceHttp, newId, type Bus, type Logger, type ServiceHttp } from '@argus/platform';
import type { Outbox } from '../../outbox/types.js';
import { ALARM_RAISED, DEVICE_UNKNOWN, type DeviceUnknownEvent, type PushAlarmRaised } from './alarm-payload.js';
import type { HttpPushConfig } from './config.js';
import { DEVICE_CODE, type DeviceRegistry, type PushDevice } from './device-registry.js';
import { digestChallenge, parseDigestAuthorization, verifyDigest } from './digest.js';
import { PushError, PushErrorCode, errorEnvelope, sendEnvelope, successEnvelope } from './envelope.js';
import { HANDLERS } from './handlers/index.js';
import type { NonceStore } from './nonce-store.js';
import type { PresenceTracker } from './presence.js';
import { PUSH_ROUTES, interfaceNameOf, matchRoute } from './routes.js';

export interface PushServerDeps {
  config: HttpPushConfig;
  logger: Logger;
  bus: Bus;
  nonces: NonceStore;
  registry: DeviceRegistry;
  presence: PresenceTracker;
  outbox: Outbox;
}

/** device.unknown is published at most this often per device code. */
const UNKNOWN_REPORT_EVERY_MS = 60_000;

export function createPushServer(deps: PushServerDeps): ServiceHttp {
  const { config, logger, nonces, registry, presence, outbox, bus } = deps;
  const unknownReported = new Map<string, number>();

  const challenge = (message: string, stale = false): PushError =>
    new PushError(PushErrorCode.UNAUTHORIZED, message, { 'www-authenticate': digestChallenge(config.realm, nonces.issue(), stale) });

  const reportUnknown = (code: string, remote: string) => {
    const now = Date.now();
    if ((unknownReported.get(code) ?? 0) > now - UNKNOWN_REPORT_EVERY_MS) return;
    if (unknownReported.size > 10_000) unknownReported.clear();
    unknownReported.set(code, now);
    const event: DeviceUnknownEvent = { deviceCode: code, remote, at: new Date(now).toISOString() };
    bus.publish(DEVICE_UNKNOWN, event).catch((err) => logger.warn({ err, deviceCode: code }, 'could not publish device.unknown'));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = matchRoute(url.pathname);
    const name = route?.name ?? interfaceNameOf(url.pathname);
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    try {
      if (!route) throw new PushError(PushErrorCode.NOT_FOUND, `no interface ${url.pathname}; interfaces: ${PUSH_ROUTES.map((r) => r.path).join(', ')}`);
      const method = req.method ?? 'GET';
      if (!route.methods.includes(method)) {
        throw new PushError(PushErrorCode.METHOD_NOT_ALLOWED, `${route.path} accepts ${route.methods.join(' or ')}, not ${method}`, { allow: route.methods.join(', ') });
      }
      const creds = parseDigestAuthorization(req.headers.authorization);
      if (!creds) throw challenge(req.headers.authorization ? 'the Authorization header is not a complete Digest credential' : 'digest authentication required');

      const body = await readBody(req, config.maxBodyBytes);
      const code = deviceCodeOf(req);
      if (!code) throw challenge('the User-Identify header (device id) is missing');
      if (!DEVICE_CODE.test(code)) throw challenge(`User-Identify "${code.slice(0, 80)}" is not a device code (letters, digits, . _ : -, at most 64)`);

      let device: PushDevice;
      try {
        const found = await registry.lookup(code);
        if (found.kind === 'unknown') {
          logger.info({ deviceCode: code, remote }, 'push from an unknown device refused');
          reportUnknown(code, remote);
          throw challenge(`unknown device ${code}: add it to Argus as an HTTP_PUSH device with this device code`);
        }
        if (found.kind === 'ambiguous') {
          logger.warn({ deviceCode: code, remote }, 'push refused: HTTP_PUSH devices of several tenants have this device code');
          throw challenge(`device code ${code} is registered in several tenants; Argus cannot tell which device this is`);
        }
        device = found.device;
      } catch (err) {
        if (err instanceof PushError) throw err;
        logger.error({ err, deviceCode: code }, 'device lookup failed');
        throw new PushError(PushErrorCode.UNAVAILABLE, 'Argus cannot look the device up right now; retry later');
      }

      if (device.password === null) {
        logger.warn({ deviceId: device.deviceId }, 'push refused: the device has no password in Argus');
        throw challenge(`device ${code} has no password set in Argus; set one to match the camera`);
      }
      if (!verifyDigest(creds, device.password, method, body)) {
        logger.info({ deviceId: device.deviceId, remote }, 'push refused: wrong digest credentials');
        throw challenge('wrong credentials');
      }
      const nonceState = creds.realm === config.realm ? nonces.check(creds.nonce) : 'unknown';
      if (nonceState !== 'valid') throw challenge(nonceState === 'expired' ? 'nonce expired' : 'nonce not issued by this server', true);

      presence.seen(device.tenantId, device.deviceId);

      const result = HANDLERS[route.kind]({
        device,
        route,
        body,
        contentType: req.headers['content-type'],
        receivedAt: new Date(),
        utcOffsetMinutes: config.deviceUtcOffsetMinutes,
        maxBodyBytes: config.maxBodyBytes,
      });
      if (result.alarms.length) await store(result.alarms, device);
      sendEnvelope(res, 200, successEnvelope(route.name, route.kind === 'keepalive' ? config.keepaliveSeconds : undefined));
    } catch (err) {
      if (err instanceof PushError) {
        if (err.status !== 401) logger.debug({ path: url.pathname, status: err.status, reason: err.message }, 'push refused');
        const headers = { ...err.headers };
        if (err.errorcode === PushErrorCode.TOO_LARGE) headers.connection = 'close';
        return sendEnvelope(res, err.status, errorEnvelope(name, err.errorcode, err.message), headers);
      }
      logger.error({ err, path: url.pathname }, 'push request failed');
      sendEnvelope(res, 500, errorEnvelope(name, PushErrorCode.INTERNAL, 'internal error; nothing was stored'));
    }
  };

  const store = async (alarms: PushAlarmRaised[], device: PushDevice) => {
    try {
      await outbox.append(alarms.map((data) => ({ id: newId('evt'), subject: ALARM_RAISED, data })));
    } catch (err) {
      logger.error({ err, deviceId: device.deviceId }, 'could not store pushed alarms');
      throw new PushError(PushErrorCode.UNAVAILABLE, 'Argus could not store the report; nothing was stored, retry later');
    }
  };

  return createServiceHttp({
    service: 'access-http-push',
    logger,
    routeLabel: (u) => matchRoute(u.pathname)?.name ?? 'other',
    handle: async (req, res, url) => {
      await handle(req, res, url);
    },
  });
}

/** The device id: `User-Identify` (§4.1). */
function deviceCodeOf(req: IncomingMessage): string | undefined {
  const v = req.headers['user-identify'];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s || undefined;
}

/** Reads the body up to `limit` bytes; a larger one (declared or sent) is refused with 413. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new PushError(PushErrorCode.TOO_LARGE, `body of ${declared} bytes is over the limit of ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PushError(PushErrorCode.TOO_LARGE, `body is over the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
