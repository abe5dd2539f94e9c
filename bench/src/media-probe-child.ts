/**
 * bench/media's probes in a process of their own, so the thousands of load viewers in the main
 * process do not delay what they measure. Commands over IPC ({ id, probe }), answers { id, result }:
 * - ttff: fresh players one after another (spaced), each timed from connect/request to its
 *   first keyframe (RTMP, FLV, RTSP) or first playable media (HLS, LL-HLS);
 * - delay: a few players held for a while, each video frame's send mark → arrival (relay delay);
 * - edge: an LL-HLS client at the live edge (llHlsFollow).
 */
import { performance } from 'node:perf_hooks';
import { flvViewer } from './media-flv-client.js';
import { hlsFirstFrame, llHlsFirstFrame, llHlsFollow } from './media-hls-client.js';
import { markIn, nowUs } from './media-mark.js';
import { rtmpViewer, type RtmpPlayTarget, type Viewer, type ViewerOptions } from './media-rtmp-client.js';
import { rtspViewer } from './media-rtsp-client.js';

export type ProbeProto = 'RTMP' | 'FLV' | 'RTSP' | 'HLS' | 'LL_HLS';
/** RTMP: a play target; others: a URL. */
export type ProbeTarget = { proto: 'RTMP'; rtmp: RtmpPlayTarget } | { proto: Exclude<ProbeProto, 'RTMP'>; url: string };

export type Probe =
  | { kind: 'ttff'; target: ProbeTarget; count: number; spacingMs: number; timeoutMs: number }
  | { kind: 'delay'; target: ProbeTarget; viewers: number; seconds: number }
  | { kind: 'edge'; url: string; seconds: number };

export interface ProbeResult {
  samples: number[];
  errors: string[];
  /** edge: sampled "behind live" values; samples are per-frame delays. */
  behindMs?: number[];
  partHoldBackSeconds?: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(t: ProbeTarget, o: ViewerOptions = {}): Viewer {
  if (t.proto === 'RTMP') return rtmpViewer(t.rtmp, o);
  if (t.proto === 'FLV') return flvViewer(t.url, o);
  if (t.proto === 'RTSP') return rtspViewer(t.url, o);
  throw new Error(`no stream player for ${t.proto}`);
}

async function ttffOnce(t: ProbeTarget, timeoutMs: number): Promise<number> {
  if (t.proto === 'HLS' || t.proto === 'LL_HLS') {
    const run = t.proto === 'HLS' ? hlsFirstFrame(t.url) : llHlsFirstFrame(t.url);
    return Promise.race([run, sleep(timeoutMs).then(() => Promise.reject(new Error('timeout')))]);
  }
  const v = open(t);
  try {
    await Promise.race([v.keyframe, sleep(timeoutMs)]);
    if (Number.isNaN(v.firstKeyframeMs)) throw new Error(v.error ?? 'no keyframe in time');
    return v.firstKeyframeMs;
  } finally {
    v.close();
  }
}

async function run(p: Probe): Promise<ProbeResult> {
  const out: ProbeResult = { samples: [], errors: [] };
  if (p.kind === 'ttff') {
    for (let i = 0; i < p.count; i++) {
      const t0 = performance.now();
      try {
        out.samples.push(await ttffOnce(p.target, p.timeoutMs));
      } catch (err) {
        out.errors.push((err as Error).message);
      }
      await sleep(Math.max(0, p.spacingMs - (performance.now() - t0)));
    }
    return out;
  }
  if (p.kind === 'delay') {
    let measuring = false;
    const viewers = Array.from({ length: p.viewers }, () =>
      open(p.target, {
        onVideoFrame: (nals) => {
          const mark = markIn(nals);
          if (mark !== null && measuring) out.samples.push((nowUs() - mark) / 1000);
        },
      }),
    );
    await sleep(1500); // past the GOP-cache burst, which is old by design
    measuring = true;
    await sleep(p.seconds * 1000);
    measuring = false;
    for (const v of viewers) {
      if (v.error) out.errors.push(v.error);
      v.close();
    }
    return out;
  }
  const r = await llHlsFollow(p.url, p.seconds);
  return { samples: r.frameDelayMs, behindMs: r.behindMs, partHoldBackSeconds: r.partHoldBackSeconds, errors: r.errors };
}

process.on('message', (m: { id: number; probe: Probe }) => {
  run(m.probe).then(
    (result) => process.send?.({ id: m.id, result }),
    (err) => process.send?.({ id: m.id, result: { samples: [], errors: [(err as Error).message] } }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
