/**
 * HLS and LL-HLS clients for bench/media: time to the first playable media (what a player must
 * load before it can show a picture), and an LL-HLS client that follows the live edge with
 * blocking playlist reloads, measuring how far behind the publisher it is.
 */
import { performance } from 'node:perf_hooks';
import { demuxTs, parseBoxes, readFragment, splitAnnexB } from '@argus/protocols';
import { markIn, nowUs } from './media-mark.js';

interface Playlist {
  url: string;
  text: string;
  segments: Array<{ uri: string; msn: number }>;
  parts: Array<{ uri: string; msn: number; index: number; independent: boolean }>;
  map: string | null;
  hint: { msn: number; part: number } | null;
  partHoldBack: number | null;
}

async function get(url: string, signal?: AbortSignal): Promise<Buffer> {
  const res = await fetch(url, { signal });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET ${new URL(url).pathname}: ${res.status} ${body.toString().slice(0, 200)}`);
  return body;
}

function parsePlaylist(url: string, text: string): Playlist {
  const abs = (u: string) => new URL(u, url).toString();
  const pl: Playlist = { url, text, segments: [], parts: [], map: null, hint: null, partHoldBack: null };
  let msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
  let partIndex = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-MAP:')) pl.map = abs(/URI="([^"]+)"/.exec(line)![1]!);
    else if (line.startsWith('#EXT-X-PART:')) {
      pl.parts.push({ uri: abs(/URI="([^"]+)"/.exec(line)![1]!), msn, index: partIndex++, independent: line.includes('INDEPENDENT=YES') });
    } else if (line.startsWith('#EXT-X-PRELOAD-HINT:')) {
      const m = /-(\d+)\.(\d+)\.m4s/.exec(line);
      if (m) pl.hint = { msn: Number(m[1]), part: Number(m[2]) };
    } else if (line.startsWith('#EXT-X-SERVER-CONTROL:')) {
      const m = /PART-HOLD-BACK=([\d.]+)/.exec(line);
      if (m) pl.partHoldBack = Number(m[1]);
    } else if (line && !line.startsWith('#')) {
      pl.segments.push({ uri: abs(line), msn: msn++ });
      partIndex = 0;
    }
  }
  return pl;
}

/** The media playlist URL a play URL (multivariant playlist) points at. */
async function openSession(playUrl: string): Promise<string> {
  const text = (await get(playUrl)).toString();
  const uri = text.split('\n').find((l) => l && !l.startsWith('#'));
  if (!uri) throw new Error(`no media playlist in ${text.slice(0, 200)}`);
  return new URL(uri, playUrl).toString();
}

/** True when a TS segment holds an H.264 IDR picture. */
function tsHasKeyframe(ts: Buffer): boolean {
  for (const pes of demuxTs(ts).pes) {
    if (pes.streamId >= 0xe0 && pes.streamId <= 0xef && splitAnnexB(pes.data).some((n) => (n[0]! & 0x1f) === 5)) return true;
  }
  return false;
}

/** The samples of an fMP4 fragment (moof + mdat) of any track, as NAL unit lists (tolerant: non-video samples give junk lists). */
function fragmentSamples(buf: Buffer): Array<{ sync: boolean; nals: Buffer[] }> {
  const out: Array<{ sync: boolean; nals: Buffer[] }> = [];
  const boxes = parseBoxes(buf);
  for (const moof of boxes.filter((b) => b.type === 'moof')) {
    for (const track of readFragment(moof).tracks) {
      for (const s of track.samples) {
        const data = buf.subarray(s.offset, s.offset + s.size);
        const nals: Buffer[] = [];
        for (let o = 0; o + 4 <= data.length; ) {
          const len = data.readUInt32BE(o);
          if (len === 0 || o + 4 + len > data.length) break;
          nals.push(data.subarray(o + 4, o + 4 + len));
          o += 4 + len;
        }
        out.push({ sync: s.sync, nals });
      }
    }
  }
  return out;
}

/**
 * Time to first frame over HLS: play URL → multivariant → media playlist → the segment a player
 * starts with (three from the live end, as hls.js does) fully loaded, holding a keyframe.
 */
export async function hlsFirstFrame(playUrl: string): Promise<number> {
  const t0 = performance.now();
  const media = await openSession(playUrl);
  const pl = parsePlaylist(media, (await get(media)).toString());
  const seg = pl.segments[Math.max(0, pl.segments.length - 3)];
  if (!seg) throw new Error('empty HLS playlist');
  const ts = await get(seg.uri);
  const ms = performance.now() - t0;
  if (!tsHasKeyframe(ts)) throw new Error('first HLS segment has no keyframe');
  return ms;
}

/**
 * Time to first frame over LL-HLS: play URL → multivariant → media playlist → the init segment
 * and the newest independent part (a keyframe) fully loaded.
 */
export async function llHlsFirstFrame(playUrl: string): Promise<number> {
  const t0 = performance.now();
  const media = await openSession(playUrl);
  const pl = parsePlaylist(media, (await get(media)).toString());
  const part = [...pl.parts].reverse().find((p) => p.independent);
  if (!part || !pl.map) throw new Error('LL-HLS playlist without an independent part or a map');
  const [, data] = await Promise.all([get(pl.map), get(part.uri)]);
  const ms = performance.now() - t0;
  if (!fragmentSamples(data).some((s) => s.sync)) throw new Error('independent part without a sync sample');
  return ms;
}

export interface LiveEdgeResult {
  /** Per video frame: publisher send → the frame in the client's hands (ms). */
  frameDelayMs: number[];
  /** Sampled every 20 ms: now − send time of the newest frame the client holds (ms). */
  behindMs: number[];
  partHoldBackSeconds: number | null;
  parts: number;
  errors: string[];
}

/**
 * An LL-HLS client at the live edge: blocking playlist reloads for the next part
 * (_HLS_msn/_HLS_part), each new part loaded as soon as the playlist lists it. Measures for
 * `seconds` once it has caught up with the edge (2 s after the start).
 */
export async function llHlsFollow(playUrl: string, seconds: number): Promise<LiveEdgeResult> {
  const result: LiveEdgeResult = { frameDelayMs: [], behindMs: [], partHoldBackSeconds: null, parts: 0, errors: [] };
  const media = await openSession(playUrl);
  let pl = parsePlaylist(media, (await get(media)).toString());
  result.partHoldBackSeconds = pl.partHoldBack;
  if (pl.map) await get(pl.map);
  let newestMark: number | null = null;
  // the parts before the live edge (the start is up to a segment back) are not counted
  const measureFrom = performance.now() + 2000;
  const sampler = setInterval(() => {
    if (newestMark !== null && performance.now() >= measureFrom) result.behindMs.push((nowUs() - newestMark) / 1000);
  }, 20);
  const deadline = measureFrom + seconds * 1000;
  // start at the newest independent part, as a low-latency player does
  const start = [...pl.parts].reverse().find((p) => p.independent);
  let last = start ? { msn: start.msn, index: start.index - 1 } : { msn: -1, index: 0 };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), seconds * 1000 + 7000);
  try {
    while (performance.now() < deadline) {
      const fresh = pl.parts.filter((p) => p.msn > last.msn || (p.msn === last.msn && p.index > last.index));
      for (const p of fresh) {
        const data = await get(p.uri, abort.signal);
        const at = nowUs();
        result.parts++;
        for (const s of fragmentSamples(data)) {
          const mark = markIn(s.nals);
          if (mark === null) continue;
          if (performance.now() >= measureFrom) result.frameDelayMs.push((at - mark) / 1000);
          if (newestMark === null || mark > newestMark) newestMark = mark;
        }
        last = { msn: p.msn, index: p.index };
      }
      const hint = pl.hint ?? { msn: last.msn, part: last.index + 1 };
      const url = new URL(media);
      url.searchParams.set('_HLS_msn', String(hint.msn));
      url.searchParams.set('_HLS_part', String(hint.part));
      pl = parsePlaylist(media, (await get(url.toString(), abort.signal)).toString());
    }
  } catch (err) {
    result.errors.push((err as Error).message);
  } finally {
    clearInterval(sampler);
    clearTimeout(timer);
  }
  return result;
}
