import { cpuUsage, memoryUsage } from 'node:process';
import { MEDIA_NODE_HEARTBEAT_SUBJECT, type Bus, type MediaNodeEndpoints, type MediaNodeHeartbeat } from '@argus/platform';
import type { StreamHub } from './hub/index.js';
import { parseLivePath } from './access/stream-path.js';

/**
 * Announces this media node, its load and its streams on the bus every `intervalMs`, so the
 * control plane can list streams and send new players to the least loaded node.
 */
export function startNodeHeartbeat(opts: {
  bus: Bus;
  hub: StreamHub;
  nodeId: string;
  endpoints: MediaNodeEndpoints;
  intervalMs?: number;
}): { stop(): void; beat(): Promise<void> } {
  const startedAt = new Date().toISOString();
  let lastCpu = cpuUsage();
  let lastAt = Date.now();
  const beat = async () => {
    const now = Date.now();
    const cpu = cpuUsage(lastCpu);
    const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, now - lastAt)) * 100);
    lastCpu = cpuUsage();
    lastAt = now;
    const streams = opts.hub.list().map((s) => {
      const st = s.stats();
      const live = parseLivePath(s.path);
      return {
        path: s.path,
        channelId: live?.channelId ?? null,
        stream: live?.stream ?? null,
        publisher: st.publisher.protocol,
        video: st.tracks.video?.codec ?? null,
        audio: st.tracks.audio?.codec ?? null,
        width: st.tracks.video?.width ?? null,
        height: st.tracks.video?.height ?? null,
        bitrateInKbps: st.bitrateInKbps,
        readers: st.readers,
        readersByProtocol: st.readersByProtocol as Record<string, number>,
        bytesIn: st.bytesIn,
        bytesOut: st.bytesOut,
        droppedFrames: st.droppedFrames,
        uptimeSeconds: st.uptimeSeconds,
      };
    });
    const hb: MediaNodeHeartbeat = {
      nodeId: opts.nodeId,
      endpoints: opts.endpoints,
      startedAt,
      load: {
        streams: streams.length,
        readers: streams.reduce((n, s) => n + s.readers, 0),
        bitrateInKbps: streams.reduce((n, s) => n + s.bitrateInKbps, 0),
        cpuPercent,
        rssMiB: Math.round(memoryUsage.rss() / 2 ** 20),
      },
      streams,
    };
    await opts.bus.publish(MEDIA_NODE_HEARTBEAT_SUBJECT, hb).catch(() => undefined);
  };
  void beat();
  const timer = setInterval(() => void beat(), opts.intervalMs ?? 5000);
  timer.unref();
  // a stream starting or ending is news at once (coalesced over 200 ms)
  let soon: NodeJS.Timeout | null = null;
  const beatSoon = () => {
    soon ??= setTimeout(() => {
      soon = null;
      void beat();
    }, 200);
  };
  opts.hub.on('ready', beatSoon);
  opts.hub.on('unpublish', beatSoon);
  return {
    stop: () => {
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      opts.hub.off('ready', beatSoon);
      opts.hub.off('unpublish', beatSoon);
    },
    beat,
  };
}
