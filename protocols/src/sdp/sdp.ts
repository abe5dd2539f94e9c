/**
 * SDP (RFC 8866) as RTSP uses it: session and media sections, attributes in order. Parsing is
 * lenient about what it does not use (unknown lines are kept as attributes or skipped), strict
 * about the m= lines it must understand, and bounded in size.
 */
import { SdpError, SdpErrorCode } from './errors.js';

export interface SdpAttribute {
  name: string;
  /** Absent for flag attributes (a=sendonly). */
  value?: string;
}

export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

export interface SdpMedia {
  /** "video", "audio", "application", … */
  type: string;
  port: number;
  /** "RTP/AVP", "RTP/AVP/TCP", … */
  protocol: string;
  /** Payload types (as strings, as on the wire). */
  formats: string[];
  /** c= of this section ("IN IP4 0.0.0.0"). */
  connection?: string;
  /** b= lines ("AS:5000"). */
  bandwidths: string[];
  attributes: SdpAttribute[];
}

export interface SdpSession {
  version: number;
  origin: SdpOrigin;
  name: string;
  info?: string;
  connection?: string;
  bandwidths: string[];
  /** t= lines as written ("0 0"). */
  timing: string[];
  attributes: SdpAttribute[];
  media: SdpMedia[];
}

export interface SdpLimits {
  maxBytes: number;
  maxLines: number;
  maxMedia: number;
}

export const SDP_DEFAULT_LIMITS: SdpLimits = { maxBytes: 64 << 10, maxLines: 1000, maxMedia: 16 };

const DEFAULT_ORIGIN: SdpOrigin = { username: '-', sessionId: '0', sessionVersion: '0', netType: 'IN', addrType: 'IP4', address: '127.0.0.1' };

export function parseSdp(input: string | Buffer, limits: Partial<SdpLimits> = {}): SdpSession {
  const lim = { ...SDP_DEFAULT_LIMITS, ...limits };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.length > lim.maxBytes) throw new SdpError(SdpErrorCode.TOO_LARGE, `SDP is over ${lim.maxBytes} bytes`);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > lim.maxLines) throw new SdpError(SdpErrorCode.TOO_LARGE, `SDP has more than ${lim.maxLines} lines`);
  const session: SdpSession = { version: 0, origin: { ...DEFAULT_ORIGIN }, name: '-', bandwidths: [], timing: [], attributes: [], media: [] };
  let sawVersion = false;
  let media: SdpMedia | null = null;
  for (const line of lines) {
    if (line[1] !== '=' || !/^[a-z]$/.test(line[0]!)) continue; // not an SDP line: skip
    const type = line[0]!;
    const value = line.slice(2).trim();
    if (type === 'v') {
      if (!/^\d+$/.test(value)) throw malformed(line);
      session.version = Number(value);
      sawVersion = true;
    } else if (type === 'm') {
      if (session.media.length >= lim.maxMedia) throw new SdpError(SdpErrorCode.TOO_LARGE, `more than ${lim.maxMedia} media sections`);
      media = parseMediaLine(line, value);
      session.media.push(media);
    } else if (type === 'a') {
      const colon = value.indexOf(':');
      const attr: SdpAttribute = colon < 0 ? { name: value } : { name: value.slice(0, colon), value: value.slice(colon + 1).trim() };
      (media ?? session).attributes.push(attr);
    } else if (type === 'c') {
      if (media) media.connection = value;
      else session.connection = value;
    } else if (type === 'b') {
      (media ?? session).bandwidths.push(value);
    } else if (!media) {
      if (type === 'o') session.origin = parseOrigin(value);
      else if (type === 's') session.name = value;
      else if (type === 'i') session.info = value;
      else if (type === 't') session.timing.push(value);
    }
  }
  if (!sawVersion && session.media.length === 0) throw new SdpError(SdpErrorCode.MALFORMED, 'not an SDP description');
  return session;
}

function parseMediaLine(line: string, value: string): SdpMedia {
  const m = /^([A-Za-z]+) (\d{1,5})(?:\/\d+)? ([A-Za-z0-9/_.-]+)((?: [^\s]+)*)$/.exec(value);
  if (!m) throw malformed(line);
  const port = Number(m[2]);
  if (port > 65535) throw malformed(line);
  return { type: m[1]!.toLowerCase(), port, protocol: m[3]!, formats: m[4]!.trim().split(/\s+/).filter(Boolean), bandwidths: [], attributes: [] };
}

function parseOrigin(value: string): SdpOrigin {
  const p = value.split(/\s+/);
  if (p.length < 6) return { ...DEFAULT_ORIGIN };
  return { username: p[0]!, sessionId: p[1]!, sessionVersion: p[2]!, netType: p[3]!, addrType: p[4]!, address: p[5]! };
}

function malformed(line: string) {
  return new SdpError(SdpErrorCode.MALFORMED, `malformed SDP line ${JSON.stringify(line.slice(0, 100))}`);
}

export function buildSdp(s: SdpSession): string {
  const o = s.origin;
  const out = [`v=${s.version}`, `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`, `s=${s.name || '-'}`];
  if (s.info) out.push(`i=${s.info}`);
  if (s.connection) out.push(`c=${s.connection}`);
  for (const b of s.bandwidths) out.push(`b=${b}`);
  for (const t of s.timing.length ? s.timing : ['0 0']) out.push(`t=${t}`);
  for (const a of s.attributes) out.push(attrLine(a));
  for (const m of s.media) {
    out.push(`m=${m.type} ${m.port} ${m.protocol} ${m.formats.join(' ')}`);
    if (m.connection) out.push(`c=${m.connection}`);
    for (const b of m.bandwidths) out.push(`b=${b}`);
    for (const a of m.attributes) out.push(attrLine(a));
  }
  for (const l of out) if (/[\r\n]/.test(l)) throw new TypeError('SDP values must not contain line breaks');
  return out.join('\r\n') + '\r\n';
}

const attrLine = (a: SdpAttribute) => (a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`);

// ---------------------------------------------------------------------------------------------
// Attribute helpers

export function sdpAttribute(attributes: readonly SdpAttribute[], name: string): string | undefined {
  return attributes.find((a) => a.name === name)?.value;
}

export interface SdpRtpMap {
  payloadType: number;
  /** Encoding name as written ("H264", "MPEG4-GENERIC", "PCMA"). */
  encoding: string;
  clockRate: number;
  channels?: number;
}

/** The rtpmap of payload type `pt` in `media`, or undefined. */
export function sdpRtpMap(media: SdpMedia, pt: number | string): SdpRtpMap | undefined {
  for (const a of media.attributes) {
    if (a.name !== 'rtpmap' || !a.value) continue;
    const m = /^(\d{1,3})\s+([A-Za-z0-9_.-]+)\/(\d{1,7})(?:\/(\d{1,2}))?/.exec(a.value);
    if (!m || Number(m[1]) !== Number(pt)) continue;
    return { payloadType: Number(m[1]), encoding: m[2]!, clockRate: Number(m[3]), ...(m[4] ? { channels: Number(m[4]) } : {}) };
  }
  return undefined;
}

/** The fmtp parameters of payload type `pt` (keys lower-cased). */
export function sdpFmtp(media: SdpMedia, pt: number | string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of media.attributes) {
    if (a.name !== 'fmtp' || !a.value) continue;
    const m = /^(\d{1,3})\s+(.*)$/.exec(a.value);
    if (!m || Number(m[1]) !== Number(pt)) continue;
    for (const part of m[2]!.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** The direction of a media section, falling back to the session's, then sendrecv. */
export function sdpDirection(media: SdpMedia, session?: SdpSession): SdpDirection {
  const dirs: SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
  for (const list of [media.attributes, session?.attributes ?? []]) {
    const found = list.find((a) => (dirs as string[]).includes(a.name));
    if (found) return found.name as SdpDirection;
  }
  return 'sendrecv';
}

/** Resolves an a=control value against the base URL (Content-Base, or the request URL). */
export function resolveSdpControl(base: string, control: string | undefined): string {
  if (!control || control === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(control)) return control;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}
