/**
 * WebRTC settings of a media node (WHEP playback, WHIP publish, browser talk), from MEDIA_WEBRTC_*:
 *
 *   MEDIA_WEBRTC_PUBLIC_IP      addresses announced as host candidates besides the interfaces'
 *                               (comma-separated; a server behind 1:1 NAT names its public address)
 *   MEDIA_WEBRTC_UDP_PORTS      "min-max": the UDP (and ICE-TCP) ports sessions bind (default: any)
 *   MEDIA_WEBRTC_ICE_TCP        "true": also offer passive ICE-TCP candidates (UDP-blocked players)
 *   MEDIA_WEBRTC_ICE_SERVERS    STUN/TURN servers for players, JSON: [{"urls":"turn:…","username":"…","credential":"…"}]
 *                               or a comma-separated list of stun:/turn: URLs without credentials
 *   MEDIA_WEBRTC_ICE_TIMEOUT_MS a session that hears nothing from its peer this long is closed (default 15000)
 *   MEDIA_WEBRTC_INTERFACES     "false": announce only MEDIA_WEBRTC_PUBLIC_IP, not the interface addresses
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface WebRtcConfig {
  publicIps: string[];
  /** Announce the interfaces' own addresses too (false: only publicIps). */
  interfaceCandidates: boolean;
  portRange: [number, number] | null;
  iceTcp: boolean;
  /** Handed to players (WHEP Link headers, the player page); the server itself gathers host candidates only. */
  iceServers: IceServer[];
  iceTimeoutMs: number;
  /** How long the answer waits for candidate gathering. */
  gatherTimeoutMs: number;
  /** WHEP/WHIP sessions on this node at most. */
  maxSessions: number;
}

export const WEBRTC_DEFAULTS: WebRtcConfig = {
  publicIps: [],
  interfaceCandidates: true,
  portRange: null,
  iceTcp: false,
  iceServers: [],
  iceTimeoutMs: 15_000,
  gatherTimeoutMs: 5_000,
  maxSessions: 2_000,
};

const iceServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string()).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

const ICE_URL = /^(stun|stuns|turn|turns):[^\s,]+$/;

function parseIceServers(value: string, issues: string[]): IceServer[] {
  const text = value.trim();
  if (!text) return [];
  let servers: IceServer[];
  if (text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      issues.push('MEDIA_WEBRTC_ICE_SERVERS: not valid JSON');
      return [];
    }
    const parsed = z.array(iceServerSchema).safeParse(json);
    if (!parsed.success) {
      issues.push('MEDIA_WEBRTC_ICE_SERVERS: must be a JSON array of {urls, username?, credential?}');
      return [];
    }
    servers = parsed.data.map((s) => ({ urls: s.urls, ...(s.username !== undefined ? { username: s.username } : {}), ...(s.credential !== undefined ? { credential: s.credential } : {}) }));
  } else {
    servers = text.split(',').map((u) => u.trim()).filter(Boolean).map((urls) => ({ urls }));
  }
  for (const s of servers) {
    for (const u of Array.isArray(s.urls) ? s.urls : [s.urls]) {
      if (!ICE_URL.test(u)) issues.push(`MEDIA_WEBRTC_ICE_SERVERS: "${u}" is not a stun:, stuns:, turn: or turns: URL`);
    }
  }
  return servers;
}

export function webrtcConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebRtcConfig {
  const issues: string[] = [];
  const get = (name: string) => (env[name] ?? '').trim();
  const publicIps = get('MEDIA_WEBRTC_PUBLIC_IP').split(',').map((s) => s.trim()).filter(Boolean);
  for (const ip of publicIps) if (!isIP(ip)) issues.push(`MEDIA_WEBRTC_PUBLIC_IP: "${ip}" is not an IP address`);
  let portRange: [number, number] | null = null;
  const ports = get('MEDIA_WEBRTC_UDP_PORTS');
  if (ports) {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(ports);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2]) : NaN;
    // werift refuses a range whose ends are equal
    if (!m || lo < 1024 || hi > 65535 || hi <= lo) issues.push(`MEDIA_WEBRTC_UDP_PORTS: must be "min-max" with 1024 <= min < max <= 65535, got "${ports}"`);
    else portRange = [lo, hi];
  }
  const bool = (name: string, fallback: boolean) => {
    const v = get(name).toLowerCase();
    if (!v) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    issues.push(`${name}: must be true or false, got "${v}"`);
    return fallback;
  };
  const timeout = get('MEDIA_WEBRTC_ICE_TIMEOUT_MS');
  let iceTimeoutMs = WEBRTC_DEFAULTS.iceTimeoutMs;
  if (timeout) {
    if (!/^\d{1,7}$/.test(timeout) || Number(timeout) < 1000) issues.push(`MEDIA_WEBRTC_ICE_TIMEOUT_MS: must be an integer >= 1000, got "${timeout}"`);
    else iceTimeoutMs = Number(timeout);
  }
  const config: WebRtcConfig = {
    ...WEBRTC_DEFAULTS,
    publicIps,
    interfaceCandidates: bool('MEDIA_WEBRTC_INTERFACES', true),
    portRange,
    iceTcp: bool('MEDIA_WEBRTC_ICE_TCP', false),
    iceServers: parseIceServers(get('MEDIA_WEBRTC_ICE_SERVERS'), issues),
    iceTimeoutMs,
  };
  if (!config.interfaceCandidates && publicIps.length === 0) issues.push('MEDIA_WEBRTC_INTERFACES=false needs MEDIA_WEBRTC_PUBLIC_IP');
  if (issues.length) throw new Error(`invalid WebRTC configuration: ${issues.join('; ')}`);
  return config;
}

/** RFC 8288 Link headers naming the ICE servers (WHEP/WHIP, RFC 9725 §4.4). */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  const links: string[] = [];
  for (const s of servers) {
    for (const url of Array.isArray(s.urls) ? s.urls : [s.urls]) {
      let link = `<${url}>; rel="ice-server"`;
      if (s.username !== undefined) link += `; username=${quoted(s.username)}`;
      if (s.credential !== undefined) link += `; credential=${quoted(s.credential)}; credential-type="password"`;
      links.push(link);
    }
  }
  return links;
}

const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
