/** The SDP a DESCRIBE answers with, built from the stream's tracks. */
import { buildAacConfig, buildSdp, rtpAacFmtp, rtpH264Fmtp, rtpH265Fmtp, type SdpMedia } from '@argus/protocols';
import type { AudioTrack, Tracks, VideoTrack } from '../../hub/index.js';

/** a=control of each track; SETUP URLs end with one of them. */
export const TRACK_CONTROLS = { video: 'trackID=0', audio: 'trackID=1' } as const;

export const VIDEO_PT = 96;

/** Payload type of an audio track: static 0/8 for 8 kHz mono G.711, dynamic otherwise. */
export function audioPayloadType(a: AudioTrack): number {
  if (a.sampleRate === 8000 && a.channels === 1) {
    if (a.codec === 'PCMU') return 0;
    if (a.codec === 'PCMA') return 8;
  }
  return 97;
}

/** RTP clock rate of a track. */
export function clockRate(track: VideoTrack | AudioTrack): number {
  if (track.kind === 'video') return 90000;
  return track.codec === 'OPUS' ? 48000 : track.sampleRate;
}

/** AudioSpecificConfig for AAC-LC when the track does not carry one. */
export function aacConfigOf(a: AudioTrack): Buffer {
  if (a.config && a.config.length >= 2) return a.config;
  try {
    return buildAacConfig(2, a.sampleRate, Math.min(7, Math.max(1, a.channels)));
  } catch {
    return buildAacConfig(2, 44100, 2);
  }
}

const nalType = (codec: VideoTrack['codec'], n: Buffer) => (codec === 'H264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);

function videoMedia(v: VideoTrack): SdpMedia {
  const pt = VIDEO_PT;
  const sets = v.parameterSets.filter((p) => p.length > 0);
  const find = (t: number) => sets.filter((p) => nalType(v.codec, p) === t);
  let rtpmap: string;
  let fmtp: string;
  if (v.codec === 'H264') {
    rtpmap = `${pt} H264/90000`;
    fmtp = rtpH264Fmtp(find(7)[0], find(8));
  } else {
    rtpmap = `${pt} H265/90000`;
    fmtp = rtpH265Fmtp(find(32)[0], find(33)[0], find(34)[0]);
  }
  return {
    type: 'video', port: 0, protocol: 'RTP/AVP', formats: [String(pt)], bandwidths: [],
    attributes: [{ name: 'rtpmap', value: rtpmap }, ...(fmtp ? [{ name: 'fmtp', value: `${pt} ${fmtp}` }] : []), { name: 'control', value: TRACK_CONTROLS.video }],
  };
}

function audioMedia(a: AudioTrack): SdpMedia | null {
  const pt = audioPayloadType(a);
  const attributes = [];
  switch (a.codec) {
    case 'AAC':
      attributes.push({ name: 'rtpmap', value: `${pt} MPEG4-GENERIC/${a.sampleRate}/${a.channels}` });
      attributes.push({ name: 'fmtp', value: `${pt} ${rtpAacFmtp(aacConfigOf(a))}` });
      break;
    case 'PCMA':
    case 'PCMU':
      attributes.push({ name: 'rtpmap', value: `${pt} ${a.codec}/${a.sampleRate}${a.channels > 1 ? `/${a.channels}` : ''}` });
      break;
    case 'OPUS':
      attributes.push({ name: 'rtpmap', value: `${pt} opus/48000/2` });
      break;
    default:
      return null;
  }
  attributes.push({ name: 'control', value: TRACK_CONTROLS.audio });
  return { type: 'audio', port: 0, protocol: 'RTP/AVP', formats: [String(pt)], bandwidths: [], attributes };
}

export function sdpFromTracks(tracks: Tracks, path: string, serverAddress: string): string {
  const media: SdpMedia[] = [];
  if (tracks.video) media.push(videoMedia(tracks.video));
  const audio = tracks.audio ? audioMedia(tracks.audio) : null;
  if (audio) media.push(audio);
  const ipv6 = serverAddress.includes(':');
  return buildSdp({
    version: 0,
    origin: { username: '-', sessionId: String(Date.now()), sessionVersion: '1', netType: 'IN', addrType: ipv6 ? 'IP6' : 'IP4', address: serverAddress },
    name: path,
    connection: `IN ${ipv6 ? 'IP6 ::' : 'IP4 0.0.0.0'}`,
    bandwidths: [],
    timing: ['0 0'],
    attributes: [{ name: 'tool', value: 'argus' }, { name: 'range', value: 'npt=0-' }, { name: 'control', value: '*' }, { name: 'sendonly' }],
    media,
  });
}
