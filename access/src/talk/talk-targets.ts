/**
 * The access plane's half of talk: a media node opening a talk session asks how to reach the
 * channel's device (`talk.device.requested`, work queue: one access instance answers); the device
 * record comes from the devices subgraph's service-only route, the device protocol picks the
 * driver, the driver names the target, and the answer (`talk.device.resolved`, password sealed
 * under the shared master key for this session) or the reason it cannot (`talk.device.unavailable`)
 * goes back on the bus.
 */
import { INTERNAL_CONTEXT_HEADER, TALK_SUBJECTS, type ServiceRuntime } from '@argus/platform';
import { DeviceTalkUnavailable } from '@argus/media';
import type { ChannelSource } from '../channel-source.js';
import { TALK_DRIVERS, TALK_DRIVER_OF_PROTOCOL } from './drivers/index.js';
import type { TalkDeviceRequested, TalkDeviceResolved, TalkDeviceUnavailableEvent } from './types.js';

export async function startTalkTargets(runtime: ServiceRuntime): Promise<{ close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'access', part: 'talk-targets' });
  const devicesBase = runtime.config.subgraphUrl('devices').replace(/\/graphql$/, '');
  const sub = await runtime.bus.subscribe<TalkDeviceRequested>(
    TALK_SUBJECTS.deviceRequested,
    async (e) => {
      const req = e.data;
      const fail = (reason: string) =>
        runtime.bus.publish<TalkDeviceUnavailableEvent>(TALK_SUBJECTS.deviceUnavailable, { sessionId: req.sessionId, nodeId: req.nodeId, reason });
      const res = await fetch(`${devicesBase}/internal/channels/${encodeURIComponent(req.channelId)}/source`, {
        headers: { [INTERNAL_CONTEXT_HEADER]: runtime.signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }) },
      });
      if (res.status === 404) return void (await fail(`channel ${req.channelId} does not exist`));
      if (!res.ok) throw new Error(`devices answered HTTP ${res.status}`); // retried by the work queue
      const source = (await res.json()) as ChannelSource;
      if (source.tenantId !== req.tenantId) return void (await fail(`channel ${req.channelId} does not exist`));
      const name = TALK_DRIVER_OF_PROTOCOL[source.protocol];
      if (!name) return void (await fail(`devices of protocol ${source.protocol} cannot talk`));
      let target;
      try {
        target = TALK_DRIVERS[name].resolve(source);
      } catch (err) {
        if (err instanceof DeviceTalkUnavailable) return void (await fail(err.message));
        throw err;
      }
      const { password, ...rest } = target;
      logger.info({ session: req.sessionId, channel: req.channelId, driver: name, url: target.url }, 'talk target resolved');
      await runtime.bus.publish<TalkDeviceResolved>(TALK_SUBJECTS.deviceResolved, {
        sessionId: req.sessionId,
        nodeId: req.nodeId,
        target: { ...rest, passwordSealed: password === null ? null : runtime.secrets.seal(password, req.sessionId) },
      });
    },
    { group: 'access-talk-targets', maxDeliveries: 3, retryDelayMs: 500 },
  );
  return { close: () => sub.unsubscribe() };
}
