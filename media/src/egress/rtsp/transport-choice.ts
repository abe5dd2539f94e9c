/** Picks the first transport of a SETUP's Transport header that this server can serve. */
import { buildRtspTransport, parseRtspTransport, rtspHeader, type RtspRequest } from '@argus/protocols';
import { RtspReply } from './server-state.js';

export type ChosenTransport =
  | { lower: 'TCP'; channels: [number, number] }
  | { lower: 'UDP'; clientPorts: [number, number] };

/**
 * `mode` is what the session does ('play' or 'record'); `current` the transport of tracks set up
 * before (a session does not mix TCP and UDP); `usedChannels` the interleaved channels taken.
 */
export function chooseTransport(req: RtspRequest, mode: 'play' | 'record', current: 'TCP' | 'UDP' | null, usedChannels: Set<number>): ChosenTransport {
  const header = rtspHeader(req.headers, 'Transport');
  if (!header) throw new RtspReply(400, 'SETUP without a Transport header');
  for (const t of parseRtspTransport(header)) {
    if (t.multicast || !t.profile.startsWith('RTP/AVP')) continue;
    if ((t.mode ?? mode) !== mode) continue;
    if (current && t.lowerTransport !== current) continue;
    if (t.lowerTransport === 'TCP') {
      let ch = t.interleaved;
      if (!ch) {
        let n = 0;
        while (usedChannels.has(n) || usedChannels.has(n + 1)) n += 2;
        ch = [n, n + 1];
      }
      if (usedChannels.has(ch[0]) || usedChannels.has(ch[1]) || ch[0] === ch[1]) continue;
      return { lower: 'TCP', channels: ch };
    }
    if (t.clientPort && t.clientPort[0] > 0) return { lower: 'UDP', clientPorts: t.clientPort };
  }
  throw new RtspReply(461, 'no supported transport offered (RTP/AVP over TCP interleaved or UDP unicast)');
}

/** The Transport header of the SETUP answer. */
export function transportReply(t: ChosenTransport, mode: 'play' | 'record', ssrc: number | undefined, serverPorts: [number, number]): string {
  return buildRtspTransport({
    profile: 'RTP/AVP',
    lowerTransport: t.lower,
    multicast: false,
    ...(t.lower === 'TCP' ? { interleaved: t.channels } : { clientPort: t.clientPorts, serverPort: serverPorts }),
    ...(ssrc !== undefined ? { ssrc } : {}),
    mode,
  });
}
