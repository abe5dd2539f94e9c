import {
  MEDIA_NODE_HEARTBEAT_SUBJECT,
  type Bus, type BusSubscription, type MediaNodeEndpoints, type MediaNodeHeartbeat,
} from '@argus/platform';

/** A node is forgotten when it has not been heard of for this long. */
export const NODE_STALE_MS = 15_000;

/**
 * The media nodes this control plane knows, from their heartbeats on the bus. New players go
 * to the node that already serves the stream, else to the least loaded one.
 */
export class MediaNodeRegistry {
  private nodes = new Map<string, { hb: MediaNodeHeartbeat; seenAt: number }>();

  async watch(bus: Bus): Promise<BusSubscription> {
    return bus.subscribe<MediaNodeHeartbeat>(MEDIA_NODE_HEARTBEAT_SUBJECT, (e) => this.record(e.data));
  }

  record(hb: MediaNodeHeartbeat, now = Date.now()): void {
    if (!hb || typeof hb.nodeId !== 'string' || !hb.endpoints) return;
    this.nodes.set(hb.nodeId, { hb, seenAt: now });
  }

  /** Live nodes, least loaded first. */
  live(now = Date.now()): MediaNodeHeartbeat[] {
    const out: MediaNodeHeartbeat[] = [];
    for (const [id, n] of this.nodes) {
      if (now - n.seenAt > NODE_STALE_MS) this.nodes.delete(id);
      else out.push(n.hb);
    }
    return out.sort((a, b) => loadScore(a) - loadScore(b) || a.nodeId.localeCompare(b.nodeId));
  }

  lastSeen(nodeId: string): Date | null {
    const n = this.nodes.get(nodeId);
    return n ? new Date(n.seenAt) : null;
  }

  /** Where a player of `path` should go; null when no node is known (use the configured endpoints). */
  pick(path: string, now = Date.now()): MediaNodeEndpoints | null {
    const nodes = this.live(now);
    const serving = nodes.find((n) => n.streams.some((s) => s.path === path));
    return (serving ?? nodes[0])?.endpoints ?? null;
  }
}

/** Readers weigh most (each costs egress), then streams, then CPU. */
function loadScore(hb: MediaNodeHeartbeat): number {
  return hb.load.readers * 10 + hb.load.streams * 5 + hb.load.cpuPercent;
}
