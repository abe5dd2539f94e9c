/** M3U8 text: the multivariant playlist a token opens, and the HLS / LL-HLS media playlists. */
import { avcCodecString, parseAacConfig, parseH265Sps, h264NalType, h265NalType } from '@argus/protocols';
import type { Tracks } from '../../hub/index.js';
import type { HlsSegment, Segmenter } from './segmenter.js';

export type HlsFlavour = 'HLS' | 'LL_HLS';

/** URIs of one segmenter's resources, relative to the playlist, each carrying the session. */
export class HlsNames {
  constructor(private readonly flavour: HlsFlavour, private readonly gen: string, private readonly session: string) {}
  private q() {
    return `?s=${this.session}`;
  }
  segment(msn: number) {
    return this.flavour === 'HLS' ? `hls-${this.gen}-${msn}.ts${this.q()}` : `ll-${this.gen}-${msn}.m4s${this.q()}`;
  }
  part(msn: number, index: number) {
    return `ll-${this.gen}-${msn}.${index}.m4s${this.q()}`;
  }
  init() {
    return `ll-${this.gen}-init.mp4${this.q()}`;
  }
}

const sec = (ms: number) => (ms / 1000).toFixed(3);
/** Whole seconds no EXTINF exceeds (EXTINF as printed, i.e. to the ms). */
export const targetDurationOf = (s: Segmenter) => Math.max(Math.ceil(s.options.targetMs / 1000), Math.ceil(Math.round(s.maxSegmentMs) / 1000));

export function multivariantPlaylist(mediaUri: string, tracks: Tracks, bitsPerSecond: number): string {
  const attrs = [`BANDWIDTH=${Math.max(64_000, Math.round(bitsPerSecond))}`];
  const codecs = codecsOf(tracks);
  if (codecs) attrs.push(`CODECS="${codecs}"`);
  const v = tracks.video;
  if (v?.width && v.height) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
  return `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:${attrs.join(',')}\n${mediaUri}\n`;
}

export function tsMediaPlaylist(s: Segmenter, names: HlsNames): string {
  const window = s.complete.slice(-s.options.windowSegments);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDurationOf(s)}`, `#EXT-X-MEDIA-SEQUENCE:${window[0]?.msn ?? 0}`];
  for (const seg of window) lines.push(`#EXTINF:${sec(seg.durationMs)},`, names.segment(seg.msn));
  return lines.join('\n') + '\n';
}

/** Segments whose parts are listed (the newest ones, about three target durations' worth). */
const SEGMENTS_WITH_PARTS = 2;

export function llMediaPlaylist(s: Segmenter, names: HlsNames): string {
  const partTarget = s.options.partTargetMs! / 1000;
  const done = s.complete.slice(-s.options.windowSegments);
  const open = s.open;
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    `#EXT-X-TARGETDURATION:${targetDurationOf(s)}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(3 * partTarget).toFixed(3)}`,
    `#EXT-X-PART-INF:PART-TARGET=${partTarget.toFixed(3)}`,
    `#EXT-X-MEDIA-SEQUENCE:${done[0]?.msn ?? open?.msn ?? 0}`,
    `#EXT-X-MAP:URI="${names.init()}"`,
  ];
  const partLines = (seg: HlsSegment) =>
    seg.parts.map((p) => `#EXT-X-PART:DURATION=${sec(p.durationMs)},URI="${names.part(seg.msn, p.index)}"${p.independent ? ',INDEPENDENT=YES' : ''}`);
  done.forEach((seg, i) => {
    if (i >= done.length - SEGMENTS_WITH_PARTS) lines.push(...partLines(seg));
    lines.push(`#EXTINF:${sec(seg.durationMs)},`, names.segment(seg.msn));
  });
  if (open) lines.push(...partLines(open));
  const next = open ? [open.msn, open.parts.length] : [(done[done.length - 1]?.msn ?? -1) + 1, 0];
  lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${names.part(next[0]!, next[1]!)}"`);
  return lines.join('\n') + '\n';
}

/** RFC 6381 codec strings, or null when a parameter set cannot be read. */
export function codecsOf(tracks: Tracks): string | null {
  try {
    const list: string[] = [];
    const v = tracks.video;
    if (v?.codec === 'H264') {
      const sps = v.parameterSets.find((u) => h264NalType(u) === 7);
      if (!sps) return null;
      list.push(avcCodecString(sps));
    } else if (v?.codec === 'H265') {
      const sps = v.parameterSets.find((u) => h265NalType(u) === 33);
      if (!sps) return null;
      list.push(hevcCodecString(sps));
    }
    const a = tracks.audio;
    if (a?.codec === 'AAC') list.push(`mp4a.40.${a.config?.length ? parseAacConfig(a.config).objectType : 2}`);
    return list.length ? list.join(',') : null;
  } catch {
    return null;
  }
}

/** `hvc1.1.6.L93.B0` (ISO/IEC 14496-15 annex E). Private helper until protocols/src/codecs has one. */
function hevcCodecString(spsNal: Uint8Array): string {
  const s = parseH265Sps(spsNal);
  let compat = 0;
  for (let i = 0; i < 32; i++) if (s.compatibilityFlags & (1 << i)) compat |= 1 << (31 - i);
  const constraints = [...s.constraintFlags];
  while (constraints.length && constraints[constraints.length - 1] === 0) constraints.pop();
  const space = ['', 'A', 'B', 'C'][s.profileSpace] ?? '';
  return [`hvc1.${space}${s.profileIdc}`, (compat >>> 0).toString(16), `${s.tierFlag ? 'H' : 'L'}${s.levelIdc}`, ...constraints.map((b) => b.toString(16))].join('.');
}
