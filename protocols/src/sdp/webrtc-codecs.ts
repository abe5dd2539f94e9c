/**
 * Codec choice in a WebRTC offer (JSEP): which payload types a browser offers in a media section,
 * which of them fits a given stream, and the section narrowed to the chosen payload types (with
 * their RTX partners), so an answerer that answers everything it shares with the offer answers
 * exactly the choice.
 */
import type { SdpMedia } from './sdp.js';
import { sdpFmtp, sdpRtpMap } from './sdp.js';

export interface OfferedCodec {
  payloadType: number;
  /** Upper-cased encoding name: H264, H265, OPUS, PCMU, PCMA, VP8, … */
  encoding: string;
  clockRate: number;
  channels?: number;
  fmtp: Record<string, string>;
  /** Payload type of the RTX stream repairing this one, when offered. */
  rtxPayloadType?: number;
}

/** The codecs offered in `media`, in the offer's order of preference (RTX entries folded into their codec). */
export function offeredCodecs(media: SdpMedia): OfferedCodec[] {
  const out: OfferedCodec[] = [];
  const rtx = new Map<number, number>();
  for (const f of media.formats) {
    if (!/^\d{1,3}$/.test(f)) continue;
    const map = sdpRtpMap(media, f);
    if (!map) continue;
    const encoding = map.encoding.toUpperCase();
    const fmtp = sdpFmtp(media, f);
    if (encoding === 'RTX') {
      const apt = Number(fmtp['apt']);
      if (Number.isInteger(apt)) rtx.set(apt, map.payloadType);
      continue;
    }
    out.push({ payloadType: map.payloadType, encoding, clockRate: map.clockRate, ...(map.channels ? { channels: map.channels } : {}), fmtp });
  }
  for (const c of out) {
    const r = rtx.get(c.payloadType);
    if (r !== undefined) c.rtxPayloadType = r;
  }
  return out;
}

/**
 * The offered H.264 codec a stream of profile `profileIdc` is best sent with: packetization-mode=1
 * (FU-A fragments) is required; the same profile is preferred, then any other (decoders take any
 * profile they can decode whatever was negotiated). Undefined when nothing fits.
 */
export function pickH264(codecs: readonly OfferedCodec[], profileIdc: number | undefined): OfferedCodec | undefined {
  const candidates = codecs.filter((c) => c.encoding === 'H264' && c.clockRate === 90000 && c.fmtp['packetization-mode'] === '1');
  const profileOf = (c: OfferedCodec) => {
    const p = c.fmtp['profile-level-id'];
    return p && /^[0-9a-f]{6}$/i.test(p) ? parseInt(p.slice(0, 2), 16) : 66;
  };
  return candidates.find((c) => profileOf(c) === profileIdc) ?? candidates.find((c) => profileOf(c) === 100) ?? candidates[0];
}

/** The offered H.265 codec (any profile), if the offer has one. */
export function pickH265(codecs: readonly OfferedCodec[]): OfferedCodec | undefined {
  return codecs.find((c) => c.encoding === 'H265' && c.clockRate === 90000);
}

/** The offered audio codec named `encoding` (OPUS at 48 kHz; PCMU/PCMA at 8 kHz). */
export function pickAudio(codecs: readonly OfferedCodec[], encoding: 'OPUS' | 'PCMU' | 'PCMA'): OfferedCodec | undefined {
  const rate = encoding === 'OPUS' ? 48000 : 8000;
  return codecs.find((c) => c.encoding === encoding && c.clockRate === rate);
}

/**
 * `media` narrowed to the payload types in `keep` and their RTX partners: formats, rtpmap, fmtp
 * and rtcp-fb lines of every other payload type are removed (other attributes stay as they are).
 */
export function keepPayloadTypes(media: SdpMedia, keep: readonly OfferedCodec[]): SdpMedia {
  const pts = new Set<string>();
  for (const c of keep) {
    pts.add(String(c.payloadType));
    if (c.rtxPayloadType !== undefined) pts.add(String(c.rtxPayloadType));
  }
  const perPt = new Set(['rtpmap', 'fmtp', 'rtcp-fb']);
  return {
    ...media,
    formats: media.formats.filter((f) => pts.has(f)),
    attributes: media.attributes.filter((a) => {
      if (!perPt.has(a.name) || !a.value) return true;
      const pt = /^(\d{1,3}|\*)\s/.exec(a.value)?.[1];
      return pt === '*' || (pt !== undefined && pts.has(pt));
    }),
  };
}
