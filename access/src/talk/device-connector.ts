/**
 * The media node's way to devices for talk (a DeviceTalkConnector the launcher hands to the talk
 * module): ask the access plane for the channel's talk target over the bus, then open the
 * driver's device leg here, in the media node's process, so audio goes straight to the device.
 */
import { TALK_SUBJECTS, type BusSubscription, type ServiceRuntime } from '@argus/platform';
import { DeviceTalkUnavailable, type DeviceTalk, type DeviceTalkConnector, type DeviceTalkRequest } from '@argus/media';
import { TALK_DRIVERS } from './drivers/index.js';
import type { TalkDeviceRequested, TalkDeviceResolved, TalkDeviceTarget, TalkDeviceUnavailableEvent } from './types.js';

export interface TalkDeviceConnectorOptions {
  /** How long to wait for the access plane's answer, and per device request (default 10 s). */
  timeoutMs?: number;
}

export interface TalkDeviceConnectorHandle extends DeviceTalkConnector {
  close(): Promise<void>;
}

/** The connector; it subscribes to the access plane's answers on first use. */
export function createTalkDeviceConnector(runtime: ServiceRuntime, o: TalkDeviceConnectorOptions = {}): TalkDeviceConnectorHandle {
  const logger = runtime.logger.child({ service: 'media-server', part: 'talk-devices' });
  const timeoutMs = o.timeoutMs ?? 10_000;
  const waiting = new Map<string, { resolve(t: TalkDeviceTarget): void; reject(e: Error): void }>();
  let subscribed: Promise<BusSubscription[]> | null = null;
  const subscribe = async () => [
    await runtime.bus.subscribe<TalkDeviceResolved>(TALK_SUBJECTS.deviceResolved, (e) => {
      const w = waiting.get(e.data.sessionId);
      if (!w) return;
      const { passwordSealed, ...rest } = e.data.target;
      try {
        w.resolve({ ...rest, password: passwordSealed === null ? null : runtime.secrets.open(passwordSealed, e.data.sessionId) });
      } catch {
        w.reject(new DeviceTalkUnavailable('the device password could not be opened (master keys differ?)'));
      }
    }),
    await runtime.bus.subscribe<TalkDeviceUnavailableEvent>(TALK_SUBJECTS.deviceUnavailable, (e) => {
      waiting.get(e.data.sessionId)?.reject(new DeviceTalkUnavailable(e.data.reason));
    }),
  ];

  async function targetOf(request: DeviceTalkRequest): Promise<TalkDeviceTarget> {
    subscribed ??= subscribe();
    await subscribed;
    const answer = new Promise<TalkDeviceTarget>((resolve, reject) => waiting.set(request.sessionId, { resolve, reject }));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeviceTalkUnavailable('the access plane did not answer in time')), timeoutMs);
    });
    try {
      await runtime.bus.publish<TalkDeviceRequested>(TALK_SUBJECTS.deviceRequested, {
        sessionId: request.sessionId, tenantId: request.tenantId, channelId: request.channelId, nodeId: request.nodeId,
      });
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
      waiting.delete(request.sessionId);
    }
  }

  return {
    async open(request): Promise<DeviceTalk> {
      const target = await targetOf(request);
      logger.debug({ session: request.sessionId, driver: target.driver, url: target.url }, 'opening the device leg');
      return TALK_DRIVERS[target.driver].open(target, request, { logger, timeoutMs });
    },
    async close() {
      const subs = subscribed ? await subscribed : [];
      subscribed = null;
      for (const s of subs) await s.unsubscribe();
    },
  };
}
