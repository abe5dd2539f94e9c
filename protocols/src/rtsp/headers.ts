/** Small RTSP header values: Session, RTP-Info, Public; and the URL tail a SETUP names. */
import { RtspError, RtspErrorCode } from './errors.js';

export interface RtspSessionHeader {
  id: string;
  /** Seconds; absent when the server did not say (RFC 2326 default: 60). */
  timeout?: number;
}

export function parseRtspSession(value: string): RtspSessionHeader {
  const [id = '', ...params] = value.split(';').map((s) => s.trim());
  if (!/^[A-Za-z0-9$\-_.+]{1,128}$/.test(id)) throw new RtspError(RtspErrorCode.BAD_HEADER, 'malformed Session header');
  const out: RtspSessionHeader = { id };
  for (const p of params) {
    const m = /^timeout\s*=\s*(\d{1,6})$/i.exec(p);
    if (m) out.timeout = Number(m[1]);
  }
  return out;
}

export function buildRtspSession(s: RtspSessionHeader): string {
  return s.timeout === undefined ? s.id : `${s.id};timeout=${s.timeout}`;
}

export interface RtspRtpInfo {
  url: string;
  seq?: number;
  rtptime?: number;
}

export function parseRtspRtpInfo(value: string): RtspRtpInfo[] {
  const out: RtspRtpInfo[] = [];
  for (const entry of value.split(',').slice(0, 16)) {
    const info: RtspRtpInfo = { url: '' };
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const k = part.slice(0, eq).trim().toLowerCase();
      const v = part.slice(eq + 1).trim();
      if (k === 'url') info.url = v;
      else if (k === 'seq' && /^\d{1,5}$/.test(v)) info.seq = Number(v) & 0xffff;
      else if (k === 'rtptime' && /^\d{1,10}$/.test(v)) info.rtptime = Number(v) >>> 0;
    }
    if (info.url) out.push(info);
  }
  return out;
}

export function buildRtspRtpInfo(infos: RtspRtpInfo[]): string {
  return infos
    .map((i) => [`url=${i.url}`, i.seq !== undefined ? `seq=${i.seq}` : '', i.rtptime !== undefined ? `rtptime=${i.rtptime >>> 0}` : ''].filter(Boolean).join(';'))
    .join(',');
}

/** The methods a Public header lists, upper-cased. */
export function parseRtspPublic(value: string): string[] {
  return value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
}

/**
 * Finds which control a request URI names: `controls` are SDP a=control values (e.g. "trackID=0").
 * Clients append the control to the URL in several ways ("…/stream/trackID=0",
 * "…/stream?token=x/trackID=0", or an absolute URL), so the match is on the URI's tail.
 * Returns the index into `controls`, or -1.
 */
export function matchRtspControl(uri: string, controls: readonly string[]): number {
  const plain = uri.replace(/\/+$/, '');
  for (let i = 0; i < controls.length; i++) {
    const c = controls[i]!.replace(/\/+$/, '');
    if (!c || c === '*') continue;
    if (plain === c || plain.endsWith(`/${c}`)) return i;
  }
  return -1;
}
