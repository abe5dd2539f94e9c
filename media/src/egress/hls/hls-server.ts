/**
 * HTTP side of HLS / LL-HLS: routes under /live/<ch>/<stream>/, token → session, one segmenter per
 * stream and flavour (started by the first player, stopped `idleStopMs` after its last request),
 * blocking playlist reloads and preload-hinted parts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LivePath } from '../../access/stream-path.js';
import { PlayRefused } from '../../access/play-authorizer.js';
import type { MediaContext } from '../../media-server.js';
import { Fmp4Packager, TsPackager, hlsTracks } from './packagers.js';
import { HlsNames, llMediaPlaylist, multivariantPlaylist, targetDurationOf, tsMediaPlaylist, type HlsFlavour } from './playlist.js';
import { Segmenter, segmentBytes } from './segmenter.js';
import { HlsSessions, type HlsSession } from './sessions.js';
import { withAacAudio } from '../../transcode/index.js';

export interface HlsOptions {
  segmentTargetMs: number;
  partTargetMs: number;
  windowSegments: number;
  /** A segment is cut here even without a keyframe. */
  maxSegmentMs: number;
  /** A segmenter stops this long after its last request. */
  idleStopMs: number;
  /** How long a playlist request waits for a new stream's first segment. */
  firstSegmentWaitMs: number;
  /** A session ends after this long without requests. */
  sessionIdleMs: number;
}

export const HLS_DEFAULTS: HlsOptions = {
  segmentTargetMs: 2000,
  partTargetMs: 333,
  windowSegments: 6,
  maxSegmentMs: 10_000,
  idleStopMs: 20_000,
  firstSegmentWaitMs: 10_000,
  sessionIdleMs: 60_000,
};

type HlsRequest =
  | { kind: 'playlist'; flavour: HlsFlavour }
  | { kind: 'init'; flavour: 'LL_HLS'; gen: string }
  | { kind: 'segment'; flavour: HlsFlavour; gen: string; msn: number }
  | { kind: 'part'; flavour: 'LL_HLS'; gen: string; msn: number; part: number };

function parseRest(rest: string): HlsRequest | null {
  if (rest === '/index.m3u8') return { kind: 'playlist', flavour: 'HLS' };
  if (rest === '/ll.m3u8') return { kind: 'playlist', flavour: 'LL_HLS' };
  let m = /^\/hls-([a-z0-9]{1,16})-(\d{1,12})\.ts$/.exec(rest);
  if (m) return { kind: 'segment', flavour: 'HLS', gen: m[1]!, msn: Number(m[2]) };
  m = /^\/ll-([a-z0-9]{1,16})-init\.mp4$/.exec(rest);
  if (m) return { kind: 'init', flavour: 'LL_HLS', gen: m[1]! };
  m = /^\/ll-([a-z0-9]{1,16})-(\d{1,12})\.m4s$/.exec(rest);
  if (m) return { kind: 'segment', flavour: 'LL_HLS', gen: m[1]!, msn: Number(m[2]) };
  m = /^\/ll-([a-z0-9]{1,16})-(\d{1,12})\.(\d{1,6})\.m4s$/.exec(rest);
  if (m) return { kind: 'part', flavour: 'LL_HLS', gen: m[1]!, msn: Number(m[2]), part: Number(m[3]) };
  return null;
}

const M3U8 = 'application/vnd.apple.mpegurl';
const NO_CACHE = 'no-cache';
const CACHEABLE = 'public, max-age=300';

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, cache: string) {
  if (res.destroyed) return;
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    'access-control-allow-origin': '*',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export class HlsServer {
  private readonly segmenters = new Map<string, Segmenter>();
  private readonly starting = new Map<string, Promise<Segmenter>>();
  /** Where numbering resumes when a stream's segmenter starts again. */
  private readonly nextMsn = new Map<string, number>();
  private readonly sessions: HlsSessions;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ctx: MediaContext, private readonly o: HlsOptions) {
    this.sessions = new HlsSessions(o.sessionIdleMs);
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, o.idleStopMs / 2));
    this.sweeper.unref();
  }

  /** Keys ("<flavour> <path>") of the running segmenters. */
  active(): string[] {
    return [...this.segmenters.keys()];
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const s of [...this.segmenters.values()]) s.stop();
  }

  readonly route = async (req: IncomingMessage, res: ServerResponse, url: URL, live: LivePath): Promise<boolean> => {
    const r = parseRest(live.rest);
    if (!r) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, 'text/plain', 'method not allowed', NO_CACHE);
      return true;
    }
    const aborter = new AbortController();
    res.once('close', () => aborter.abort());
    if (r.kind === 'playlist') await this.playlist(req, res, url, live, r.flavour, aborter.signal);
    else await this.media(req, res, url, live, r, aborter.signal);
    return true;
  };

  private async playlist(req: IncomingMessage, res: ServerResponse, url: URL, live: LivePath, flavour: HlsFlavour, signal: AbortSignal) {
    const sid = url.searchParams.get('s');
    if (sid === null) {
      // a play token opens a session: the multivariant playlist points at the session's media playlist
      const token = url.searchParams.get('token');
      const claims = await this.ctx.authorizer.authorize(token, { channelId: live.channelId, stream: live.stream, protocol: flavour });
      const seg = await this.segmenter(live, flavour);
      if (!(await this.firstSegment(seg, signal))) return;
      const session = this.sessions.open(claims, token!, live, flavour);
      const uri = `${flavour === 'HLS' ? 'index' : 'll'}.m3u8?s=${session.id}`;
      const bps = Math.max(seg.stream.stats().bitrateInKbps * 1100, 500_000);
      return send(req, res, 200, M3U8, multivariantPlaylist(uri, hlsTracks(seg.stream.tracks), bps), NO_CACHE);
    }
    const session = this.session(sid, live, flavour);
    this.recheck(session, live);
    const seg = await this.segmenter(live, flavour);
    if (!(await this.firstSegment(seg, signal))) return;
    const names = new HlsNames(flavour, seg.gen, session.id);
    if (flavour === 'HLS') return send(req, res, 200, M3U8, tsMediaPlaylist(seg, names), NO_CACHE);
    const msnQ = url.searchParams.get('_HLS_msn');
    const partQ = url.searchParams.get('_HLS_part');
    if (msnQ !== null || partQ !== null) {
      if (msnQ === null || !/^\d{1,12}$/.test(msnQ) || (partQ !== null && !/^\d{1,6}$/.test(partQ))) {
        return send(req, res, 400, 'text/plain', '_HLS_msn must be given (with an optional _HLS_part), as integers', NO_CACHE);
      }
      const msn = Number(msnQ);
      const part = partQ === null ? null : Number(partQ);
      const newest = seg.open?.msn ?? seg.complete[seg.complete.length - 1]?.msn ?? 0;
      if (msn > newest + 2) return send(req, res, 400, 'text/plain', `_HLS_msn ${msn} is too far ahead of the live edge (${newest})`, NO_CACHE);
      const ready = await seg.waitFor(() => reached(seg, msn, part), 3 * targetDurationOf(seg) * 1000, signal);
      if (signal.aborted) return;
      if (!ready) throw new PlayRefused(503, 'UNAVAILABLE', `part ${msn}.${part ?? '-'} did not appear in time`);
    } else {
      // Right after a segment ends, the new one has no part yet. A player starting from such a
      // playlist finds nothing after the segment it loads first, and hls.js loads that segment's
      // parts again and again until its first blocking reload returns; so hold the playlist
      // until the new segment's first part is out (at most a part target).
      const hasPart = () => seg.closed || (seg.open?.parts.length ?? 0) > 0;
      if (!hasPart()) await seg.waitFor(hasPart, 2 * (seg.options.partTargetMs ?? 0) + 1000, signal);
      if (signal.aborted) return;
    }
    send(req, res, 200, M3U8, llMediaPlaylist(seg, names), NO_CACHE);
  }

  private async media(req: IncomingMessage, res: ServerResponse, url: URL, live: LivePath, r: Exclude<HlsRequest, { kind: 'playlist' }>, signal: AbortSignal) {
    this.session(url.searchParams.get('s'), live, r.flavour);
    const seg = this.segmenters.get(key(r.flavour, live));
    if (!seg || seg.gen !== r.gen) throw new PlayRefused(404, 'SEGMENT_GONE', 'this segment is no longer available');
    seg.lastRequest = Date.now();
    const type = r.flavour === 'HLS' ? 'video/mp2t' : 'video/mp4';
    if (r.kind === 'init') return send(req, res, 200, type, seg.packager.init!, CACHEABLE);
    const near = r.msn <= (seg.open?.msn ?? seg.complete[seg.complete.length - 1]?.msn ?? 0) + 1;
    const wait = 3 * targetDurationOf(seg) * 1000;
    if (r.kind === 'segment') {
      const done = () => (seg.find(r.msn)?.complete ?? false) || gone(seg, r.msn);
      if (near && !done()) await seg.waitFor(done, wait, signal);
      const s = seg.find(r.msn);
      if (signal.aborted) return;
      if (!s?.complete) throw new PlayRefused(404, 'SEGMENT_GONE', `segment ${r.msn} is not available`);
      return send(req, res, 200, type, segmentBytes(s), CACHEABLE);
    }
    // a part: a preload hint asks for it before it exists, so hold the request until it does
    const find = () => seg.find(r.msn)?.parts[r.part];
    const never = () => {
      const s = seg.find(r.msn);
      return s ? s.complete && !s.parts[r.part] : gone(seg, r.msn);
    };
    if (near && !find()) await seg.waitFor(() => !!find() || never(), wait, signal);
    const p = find();
    if (signal.aborted) return;
    if (!p) throw new PlayRefused(404, 'SEGMENT_GONE', `part ${r.msn}.${r.part} is not available`);
    send(req, res, 200, type, p.data, CACHEABLE);
  }

  private session(id: string | null, live: LivePath, flavour: HlsFlavour): HlsSession {
    const s = this.sessions.find(id, live, flavour);
    if (!s) throw new PlayRefused(403, 'SESSION_UNKNOWN', 'unknown or expired HLS session; open the play URL again');
    return s;
  }

  /** A revoked grant ends its sessions; an expired token does not end a session it opened in time. */
  private recheck(s: HlsSession, live: LivePath) {
    try {
      this.ctx.authorizer.check(s.token, { channelId: live.channelId, stream: live.stream, protocol: s.flavour });
    } catch (err) {
      if (err instanceof PlayRefused && err.code === 'TOKEN_EXPIRED') return;
      this.sessions.end(s.id);
      throw err;
    }
  }

  private async firstSegment(seg: Segmenter, signal: AbortSignal): Promise<boolean> {
    const ok = await seg.waitFor(() => seg.complete.length > 0, this.o.firstSegmentWaitMs, signal);
    if (signal.aborted) return false;
    if (!ok) throw new PlayRefused(503, 'STREAM_STARTING', 'the stream has no segment yet; try again');
    return true;
  }

  private segmenter(live: LivePath, flavour: HlsFlavour): Promise<Segmenter> {
    const k = key(flavour, live);
    const running = this.segmenters.get(k);
    if (running && !running.closed) {
      running.lastRequest = Date.now();
      return Promise.resolve(running);
    }
    let p = this.starting.get(k);
    if (!p) {
      p = this.startSegmenter(k, live, flavour).finally(() => this.starting.delete(k));
      this.starting.set(k, p);
    }
    return p;
  }

  private async startSegmenter(k: string, live: LivePath, flavour: HlsFlavour): Promise<Segmenter> {
    // G.711 audio reaches HLS as AAC (a derived stream); other streams come back as they are
    const stream = withAacAudio(this.ctx, await this.ctx.openStream(live));
    const tracks = hlsTracks(stream.tracks);
    let packager;
    try {
      if (!tracks.video && !tracks.audio) throw new Error('no H.264/H.265 video or AAC audio');
      packager = flavour === 'HLS' ? new TsPackager(tracks) : new Fmp4Packager(tracks);
    } catch (err) {
      throw new PlayRefused(503, 'CODEC_UNSUPPORTED', `stream ${live.path} cannot be packaged for HLS: ${(err as Error).message}`);
    }
    const { segmentTargetMs: targetMs, windowSegments, maxSegmentMs } = this.o;
    const partTargetMs = flavour === 'LL_HLS' ? this.o.partTargetMs : null;
    const reader = stream.addReader(flavour, 'hls-segmenter');
    const seg = new Segmenter(stream, reader, packager, { targetMs, partTargetMs, windowSegments, maxSegmentMs }, this.nextMsn.get(k) ?? 0);
    this.segmenters.set(k, seg);
    seg.once('closed', () => {
      if (this.segmenters.get(k) === seg) this.segmenters.delete(k);
      this.nextMsn.set(k, seg.upcomingMsn);
    });
    seg.run().catch((err) => this.ctx.logger.warn({ err, path: live.path, flavour }, 'HLS segmenter stopped on bad input'));
    return seg;
  }

  private sweep() {
    const now = Date.now();
    for (const s of [...this.segmenters.values()]) if (now - s.lastRequest > this.o.idleStopMs) s.stop();
    this.sessions.sweep(now);
  }
}

const key = (flavour: HlsFlavour, live: LivePath) => `${flavour} ${live.path}`;

/** Blocking reload: has the playlist reached segment `msn` (complete), or part `part` of it (or anything later)? */
function reached(seg: Segmenter, msn: number, part: number | null): boolean {
  if (part === null) return seg.complete.some((s) => s.msn >= msn);
  const last = seg.lastPart();
  if (!last) return false;
  return last[0] > msn || (last[0] === msn && last[1] >= part);
}

/** Segment `msn` has left the window, or was never made by this segmenter. */
function gone(seg: Segmenter, msn: number): boolean {
  if (seg.find(msn)) return false;
  const first = seg.segments[0];
  return !first || msn < first.msn || seg.segments.some((s) => s.msn > msn);
}
