/** The Transport header (RFC 2326 §12.39): parse the client's offer, build the reply. */
import { RtspError, RtspErrorCode } from './errors.js';

export interface RtspTransport {
  /** "RTP/AVP" (also "RTP/AVPF", "RTP/SAVP"). */
  profile: string;
  lowerTransport: 'UDP' | 'TCP';
  multicast: boolean;
  /** TCP: the `$` channels for RTP and RTCP. */
  interleaved?: [number, number];
  /** UDP: the client's RTP and RTCP ports. */
  clientPort?: [number, number];
  /** UDP: the server's RTP and RTCP ports. */
  serverPort?: [number, number];
  ssrc?: number;
  mode?: 'play' | 'record';
  destination?: string;
  source?: string;
  ttl?: number;
}

const MAX_ALTERNATIVES = 8;

/** Parses a Transport header; a client may offer several comma-separated alternatives. */
export function parseRtspTransport(value: string): RtspTransport[] {
  if (value.length > 2048) throw new RtspError(RtspErrorCode.TOO_LARGE, 'Transport header is too long');
  const specs = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0 || specs.length > MAX_ALTERNATIVES) throw bad(value);
  return specs.map(parseOne);
}

function parseOne(spec: string): RtspTransport {
  const [proto = '', ...params] = spec.split(';').map((s) => s.trim());
  const m = /^(RTP\/[A-Z]{3,4})(?:\/(UDP|TCP))?$/i.exec(proto);
  if (!m) throw bad(spec);
  const t: RtspTransport = {
    profile: m[1]!.toUpperCase(),
    lowerTransport: (m[2]?.toUpperCase() as 'UDP' | 'TCP' | undefined) ?? 'UDP',
    multicast: false,
  };
  for (const p of params) {
    if (!p) continue;
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : p.slice(eq + 1).replace(/^"|"$/g, '');
    switch (key) {
      case 'unicast': t.multicast = false; break;
      case 'multicast': t.multicast = true; break;
      case 'interleaved': t.interleaved = range(val, 255, spec); break;
      case 'client_port': t.clientPort = range(val, 65535, spec); break;
      case 'server_port': t.serverPort = range(val, 65535, spec); break;
      case 'ssrc': {
        if (!/^[0-9a-f]{1,8}$/i.test(val)) throw bad(spec);
        t.ssrc = parseInt(val, 16) >>> 0;
        break;
      }
      case 'mode': {
        const mode = val.toLowerCase();
        if (mode === 'play' || mode === 'record' || mode === 'receive') t.mode = mode === 'play' ? 'play' : 'record';
        else throw bad(spec);
        break;
      }
      case 'destination': t.destination = val; break;
      case 'source': t.source = val; break;
      case 'ttl': {
        if (!/^\d{1,3}$/.test(val)) throw bad(spec);
        t.ttl = Number(val);
        break;
      }
      default: // append, layers, port, … are not used
    }
  }
  return t;
}

function range(val: string, max: number, spec: string): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(val);
  if (!m) throw bad(spec);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a + 1 : Number(m[2]);
  if (a > max || b > max) throw bad(spec);
  return [a, b];
}

function bad(spec: string) {
  return new RtspError(RtspErrorCode.BAD_HEADER, `malformed Transport ${JSON.stringify(spec.slice(0, 120))}`);
}

export function buildRtspTransport(t: RtspTransport): string {
  const parts = [t.lowerTransport === 'TCP' ? `${t.profile}/TCP` : t.profile, t.multicast ? 'multicast' : 'unicast'];
  if (t.destination) parts.push(`destination=${t.destination}`);
  if (t.source) parts.push(`source=${t.source}`);
  if (t.interleaved) parts.push(`interleaved=${t.interleaved[0]}-${t.interleaved[1]}`);
  if (t.clientPort) parts.push(`client_port=${t.clientPort[0]}-${t.clientPort[1]}`);
  if (t.serverPort) parts.push(`server_port=${t.serverPort[0]}-${t.serverPort[1]}`);
  if (t.ttl !== undefined) parts.push(`ttl=${t.ttl}`);
  if (t.ssrc !== undefined) parts.push(`ssrc=${(t.ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  if (t.mode) parts.push(`mode=${t.mode}`);
  return parts.join(';');
}
