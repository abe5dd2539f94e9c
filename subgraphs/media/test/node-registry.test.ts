import { describe, it, expect } from 'vitest';
import type { MediaNodeHeartbeat } from '@argus/platform';
import { MediaNodeRegistry, NODE_STALE_MS } from '../src/node-registry.js';

function hb(nodeId: string, readers: number, paths: string[] = []): MediaNodeHeartbeat {
  const base = `http://${nodeId}:8080`;
  return {
    nodeId,
    endpoints: { http: base, ws: base.replace('http', 'ws'), rtmp: `rtmp://${nodeId}:1935`, rtsp: `rtsp://${nodeId}:8554` },
    startedAt: new Date(0).toISOString(),
    load: { streams: paths.length, readers, bitrateInKbps: 0, cpuPercent: 0, rssMiB: 50 },
    streams: paths.map((path) => ({
      path, channelId: path.split('/')[1]!, stream: 'primary', publisher: 'RTMP', video: 'H264', audio: 'AAC', width: 640, height: 360,
      bitrateInKbps: 2000, readers, readersByProtocol: {}, bytesIn: 0, bytesOut: 0, droppedFrames: 0, uptimeSeconds: 1,
    })),
  };
}

describe('MediaNodeRegistry', () => {
  it('sends a player to the node that already serves the stream, else to the least loaded node', () => {
    const r = new MediaNodeRegistry();
    r.record(hb('busy', 50, ['live/chn_a/primary']), 1000);
    r.record(hb('idle', 0), 1000);
    expect(r.pick('live/chn_a/primary', 1000)?.http).toBe('http://busy:8080');
    expect(r.pick('live/chn_b/primary', 1000)?.http).toBe('http://idle:8080');
  });

  it('forgets nodes that stopped sending heartbeats', () => {
    const r = new MediaNodeRegistry();
    r.record(hb('gone', 0), 0);
    expect(r.pick('live/x/primary', NODE_STALE_MS + 1)).toBeNull();
    expect(r.live(NODE_STALE_MS + 1)).toEqual([]);
  });

  it('ignores malformed heartbeats', () => {
    const r = new MediaNodeRegistry();
    r.record({} as MediaNodeHeartbeat);
    r.record(null as unknown as MediaNodeHeartbeat);
    expect(r.live()).toEqual([]);
  });
});
