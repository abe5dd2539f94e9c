import { INTERNAL_CONTEXT_HEADER, type ServiceRuntime } from '@argus/platform';
import { SourceUnavailable, type ChannelSource, type PullSource, type StreamKind } from './channel-source.js';
import { rtspDeviceSource } from './drivers/rtsp/rtsp-source.js';
import { isapiStreamSource } from './drivers/isapi/isapi-stream-source.js';

/** A media node asks for a source: `media.stream.requested`. */
export interface StreamRequest {
  path: string;
  channelId: string;
  stream: StreamKind;
  nodeId: string;
}

/** The answer: `media.source.resolved` (password sealed with the shared master key, bound to the path) or `media.source.unavailable`. */
export interface SourceResolved {
  path: string;
  nodeId: string;
  url: string;
  transport: 'tcp' | 'udp';
  username: string | null;
  passwordSealed: string | null;
}

/** Drivers that can name a pull URL for a device protocol. GB28181 joins when its driver lands. */
const PULL_DRIVERS: Record<string, (s: ChannelSource, stream: StreamKind) => PullSource> = {
  RTSP: rtspDeviceSource,
  ISAPI: isapiStreamSource,
};

/**
 * The access plane's half of on-demand streams: when a media node asks for a channel nobody
 * publishes, find the channel's device, let its driver name the source, and tell that node.
 */
export async function startStreamSources(runtime: ServiceRuntime): Promise<{ close(): Promise<void> }> {
  const logger = runtime.logger.child({ service: 'access', part: 'stream-sources' });
  const devicesBase = runtime.config.subgraphUrl('devices').replace(/\/graphql$/, '');
  const sub = await runtime.bus.subscribe<StreamRequest>(
    'media.stream.requested',
    async (e) => {
      const req = e.data;
      const fail = (reason: string) => runtime.bus.publish('media.source.unavailable', { path: req.path, nodeId: req.nodeId, reason });
      const res = await fetch(`${devicesBase}/internal/channels/${encodeURIComponent(req.channelId)}/source`, {
        headers: { [INTERNAL_CONTEXT_HEADER]: runtime.signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }) },
      });
      if (res.status === 404) return void (await fail(`channel ${req.channelId} does not exist`));
      if (!res.ok) throw new Error(`devices answered HTTP ${res.status}`); // retried by the work queue
      const source = (await res.json()) as ChannelSource;
      const driver = PULL_DRIVERS[source.protocol];
      if (!driver) return void (await fail(`devices of protocol ${source.protocol} cannot be pulled on demand`));
      let pull: PullSource;
      try {
        pull = driver(source, req.stream);
      } catch (err) {
        if (err instanceof SourceUnavailable) return void (await fail(err.message));
        throw err;
      }
      const answer: SourceResolved = {
        path: req.path,
        nodeId: req.nodeId,
        url: pull.url,
        transport: pull.transport,
        username: pull.username,
        passwordSealed: pull.password === null ? null : runtime.secrets.seal(pull.password, req.path),
      };
      logger.info({ path: req.path, url: pull.url, protocol: source.protocol }, 'stream source resolved');
      await runtime.bus.publish('media.source.resolved', answer);
    },
    { group: 'access-stream-sources', maxDeliveries: 3, retryDelayMs: 500 },
  );
  return { close: () => sub.unsubscribe() };
}
