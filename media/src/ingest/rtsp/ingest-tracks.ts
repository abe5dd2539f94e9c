/** Which tracks of an SDP description the hub can carry, with a depacketizer for each. */
import {
  AacRtpDepacketizer, H264RtpDepacketizer, H265RtpDepacketizer, PassthroughRtpDepacketizer,
  parseRtpH264Sprop, parseRtpH265Sprop, rtpAacParamsFromFmtp, sdpAttribute, sdpFmtp, sdpRtpMap,
  type RtpDepacketizer, type SdpMedia, type SdpSession,
} from '@argus/protocols';
import type { AudioTrack, VideoTrack } from '../../hub/index.js';

export interface IngestTrack {
  /** a=control of the media section ('' when absent). */
  control: string;
  payloadType: number;
  clockRate: number;
  depacketizer: RtpDepacketizer;
  /** Described by the SDP; video parameter sets may still be missing (then they come in-band). */
  track: VideoTrack | AudioTrack;
}

const STATIC_AUDIO: Record<number, { codec: 'PCMU' | 'PCMA' }> = { 0: { codec: 'PCMU' }, 8: { codec: 'PCMA' } };

function trackOf(m: SdpMedia, fmt: string): Omit<IngestTrack, 'control'> | null {
  if (!/^\d{1,3}$/.test(fmt)) return null;
  const pt = Number(fmt);
  const map = sdpRtpMap(m, pt);
  const fmtp = sdpFmtp(m, pt);
  const encoding = map?.encoding.toUpperCase() ?? (STATIC_AUDIO[pt] ? STATIC_AUDIO[pt].codec : '');
  const clock = map?.clockRate ?? 8000;
  if (m.type === 'video') {
    if (encoding === 'H264') return { payloadType: pt, clockRate: clock, depacketizer: new H264RtpDepacketizer(), track: { kind: 'video', codec: 'H264', parameterSets: parseRtpH264Sprop(fmtp) } };
    if (encoding === 'H265') return { payloadType: pt, clockRate: clock, depacketizer: new H265RtpDepacketizer(), track: { kind: 'video', codec: 'H265', parameterSets: parseRtpH265Sprop(fmtp) } };
    return null;
  }
  if (m.type !== 'audio' || clock <= 0) return null;
  const channels = map?.channels ?? 1;
  if (encoding === 'MPEG4-GENERIC') {
    const config = fmtp.config && /^([0-9a-f]{2})+$/i.test(fmtp.config) ? Buffer.from(fmtp.config, 'hex') : undefined;
    const params = rtpAacParamsFromFmtp(fmtp);
    if (params.sizeLength < 1 || params.sizeLength > 16 || params.indexLength > 8 || params.indexDeltaLength > 8) return null;
    return {
      payloadType: pt, clockRate: clock, depacketizer: new AacRtpDepacketizer(params),
      track: { kind: 'audio', codec: 'AAC', sampleRate: clock, channels, ...(config ? { config } : {}) },
    };
  }
  if (encoding === 'PCMA' || encoding === 'PCMU') {
    return { payloadType: pt, clockRate: clock, depacketizer: new PassthroughRtpDepacketizer(), track: { kind: 'audio', codec: encoding, sampleRate: clock, channels } };
  }
  if (encoding === 'OPUS') {
    return { payloadType: pt, clockRate: clock, depacketizer: new PassthroughRtpDepacketizer(), track: { kind: 'audio', codec: 'OPUS', sampleRate: 48000, channels: 2 } };
  }
  return null;
}

/**
 * The first carriable video and the first carriable audio section, in SDP order; `index` is the
 * position of the media section in the SDP.
 */
export function ingestTracksFromSdp(sdp: SdpSession): Array<IngestTrack & { index: number }> {
  const out: Array<IngestTrack & { index: number }> = [];
  sdp.media.forEach((m, index) => {
    if (out.some((t) => t.track.kind === m.type)) return;
    for (const fmt of m.formats) {
      const t = trackOf(m, fmt);
      if (t) {
        out.push({ ...t, control: sdpAttribute(m.attributes, 'control') ?? '', index });
        return;
      }
    }
  });
  return out;
}
