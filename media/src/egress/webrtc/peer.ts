/**
 * One werift RTCPeerConnection answering a browser's offer, the way every WebRTC session of a media
 * node does it (WHEP, WHIP, talk): checked offer, narrowed codecs, host candidates gathered before
 * the answer is returned (the answer is complete; players may still trickle theirs), the public
 * addresses added as host candidates, and a watchdog that ends the session when the peer has been
 * silent for the ICE timeout or ICE failed.
 */
import {
  RTCPeerConnection, RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
} from 'werift';
import { buildSdp, parseSdp, SdpError, type SdpMedia, type SdpSession } from '@argus/protocols';
import type { WebRtcConfig } from './webrtc-config.js';

/** A refused offer: the reason is sent to the client with 400. */
export class BadOffer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadOffer';
  }
}

const MAX_OFFER_BYTES = 32 << 10;

/** Parses and checks a WebRTC offer: what werift needs and what every browser sends. */
export function checkOffer(text: string): SdpSession {
  if (!text.trim()) throw new BadOffer('the request body must be an SDP offer (content-type: application/sdp)');
  let sdp: SdpSession;
  try {
    sdp = parseSdp(text, { maxBytes: MAX_OFFER_BYTES });
  } catch (err) {
    throw new BadOffer(`the offer is not valid SDP: ${err instanceof SdpError ? err.message : String(err)}`);
  }
  const av = sdp.media.filter((m) => m.type === 'audio' || m.type === 'video');
  if (av.length === 0) throw new BadOffer('the offer has no audio or video media section');
  const has = (m: SdpMedia, name: string) => m.attributes.some((a) => a.name === name) || sdp.attributes.some((a) => a.name === name);
  for (const m of av) {
    if (!/^UDP\/TLS\/RTP\/SAVPF?$|^(TCP\/)?(UDP\/)?TLS\/RTP\/SAVPF?$/i.test(m.protocol)) throw new BadOffer(`m=${m.type} uses ${m.protocol}; WebRTC needs UDP/TLS/RTP/SAVPF`);
    if (!has(m, 'ice-ufrag') || !has(m, 'ice-pwd')) throw new BadOffer(`m=${m.type} has no a=ice-ufrag / a=ice-pwd`);
    if (!has(m, 'fingerprint')) throw new BadOffer(`m=${m.type} has no a=fingerprint (DTLS)`);
    if (!m.attributes.some((a) => a.name === 'mid')) throw new BadOffer(`m=${m.type} has no a=mid`);
  }
  return sdp;
}

/** werift's codec list for what Argus sends or takes (narrowed per session by the offer). */
export const VIDEO_CODECS = {
  H264: () => new RTCRtpCodecParameters({
    mimeType: 'video/H264', clockRate: 90000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
  }),
  H265: () => new RTCRtpCodecParameters({
    mimeType: 'video/H265', clockRate: 90000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
  }),
  RTX: () => new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 }),
};

export const AUDIO_CODECS = {
  OPUS: () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, rtcpFeedback: [{ type: 'nack' }] }),
  PCMU: () => new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
  PCMA: () => new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 }),
};

const MID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:mid';

/** A peer connection configured from the node's WebRTC settings. */
export function newPeerConnection(
  config: WebRtcConfig,
  codecs: { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] },
  o: { receives?: boolean; filterStunResponse?: (protocol: 'udp' | 'tcp') => boolean } = {},
): RTCPeerConnection {
  // a receiver keeps the mid extension so the browser's packets are routed before its SSRCs are known;
  // a sender adds no extension to its packets (each would be per-packet work for nothing)
  const ext = o.receives ? [new RTCRtpHeaderExtensionParameters({ id: 1, uri: MID_EXTENSION })] : [];
  const filter = o.filterStunResponse;
  return new RTCPeerConnection({
    codecs,
    headerExtensions: { audio: ext, video: ext },
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceUseTcp: config.iceTcp,
    ...(config.portRange ? { icePortRange: config.portRange } : {}),
    // STUN/TURN servers are for players; a server is reached at its host (or public) addresses
    iceServers: [],
    ...(filter ? { iceFilterStunResponse: (_m: unknown, _a: unknown, protocol: { type?: string }) => filter(protocol.type === 'tcp' ? 'tcp' : 'udp') } : {}),
  });
}

/**
 * The offer as the answerer should see it: each audio/video section narrowed by `narrow` (null
 * rejects the section: port 0, so werift answers it inactive).
 */
export function narrowOffer(offer: SdpSession, narrow: (m: SdpMedia) => SdpMedia | null): string {
  return buildSdp({
    ...offer,
    media: offer.media.map((m) => {
      if (m.type !== 'audio' && m.type !== 'video') return m;
      const n = narrow(m);
      return n ?? { ...m, port: 0 };
    }),
  });
}

/** Applies the offer; werift's complaints become BadOffer. */
export async function applyOffer(pc: RTCPeerConnection, sdp: string): Promise<void> {
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp });
  } catch (err) {
    throw new BadOffer(`the offer cannot be answered: ${(err as Error).message}`);
  }
}

/** Creates and applies the answer, waits for host candidates, and returns the SDP with public addresses added. */
export async function completeAnswer(pc: RTCPeerConnection, config: WebRtcConfig): Promise<string> {
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, config.gatherTimeoutMs);
      const sub = pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done());
      function done() {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      }
    });
  }
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('werift produced no local description');
  return withPublicAddresses(sdp, config);
}

/**
 * Adds a host candidate on each public address for every host candidate of the interfaces (same
 * port and transport: behind 1:1 NAT the same socket is reached), or replaces them when the
 * interfaces are not to be announced.
 */
export function withPublicAddresses(sdp: string, config: Pick<WebRtcConfig, 'publicIps' | 'interfaceCandidates'>): string {
  if (config.publicIps.length === 0) return sdp;
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    const m = /^a=candidate:(\S+) (\d+) (udp|tcp) (\d+) (\S+) (\d+) typ host(.*)$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    // an active TCP candidate (port 9) is where this side connects from: one copy, under the public address if the interfaces are hidden
    if (/ tcptype active/.test(line)) {
      out.push(config.interfaceCandidates ? line : line.replace(` ${m[5]} ${m[6]} typ host`, ` ${config.publicIps[0]} ${m[6]} typ host`));
      continue;
    }
    if (config.interfaceCandidates) out.push(line);
    const [, foundation, component, transport, priority, , port, rest] = m;
    config.publicIps.forEach((ip, i) => {
      out.push(`a=candidate:${foundation}p${i} ${component} ${transport} ${Math.max(1, Number(priority) - 1 - i)} ${ip} ${port} typ host${rest}`);
    });
  }
  return out.join('\r\n');
}

/** Adds a candidate the client trickled (PATCH, RFC 8840 fragment lines). */
export async function addRemoteCandidates(pc: RTCPeerConnection, fragment: string): Promise<number> {
  let added = 0;
  let mid: string | undefined;
  let ufrag: string | undefined;
  for (const raw of fragment.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('a=ice-ufrag:')) ufrag = line.slice(12);
    else if (line.startsWith('a=mid:')) mid = line.slice(6);
    else if (line.startsWith('a=candidate:')) {
      await pc.addIceCandidate({ candidate: line.slice(2), sdpMid: mid ?? '0', ...(ufrag ? { usernameFragment: ufrag } : {}) });
      added++;
    } else if (line === 'a=end-of-candidates') {
      // werift gathers remote candidates as they come; the end needs no action
    }
  }
  return added;
}

/**
 * Calls `onDead` once when the peer has sent nothing (RTP, RTCP) for `timeoutMs` after it
 * connected or for `timeoutMs` + the connect allowance before, or when ICE failed or closed.
 */
export function watchPeer(pc: RTCPeerConnection, timeoutMs: number, onDead: (why: string) => void): () => void {
  let last = Date.now();
  let connected = false;
  let fired = false;
  const fire = (why: string) => {
    if (fired) return;
    fired = true;
    stop();
    onDead(why);
  };
  const subs: Array<{ unSubscribe(): void }> = [];
  const attach = () => {
    for (const t of pc.iceTransports) {
      const conn = t.connection as unknown as { onData?: { subscribe(f: () => void): { unSubscribe(): void } } };
      if (conn.onData) subs.push(conn.onData.subscribe(() => (last = Date.now())));
    }
  };
  attach();
  subs.push(pc.connectionStateChange.subscribe((s) => {
    if (s === 'connected') {
      connected = true;
      last = Date.now();
    } else if (s === 'failed' || s === 'closed') fire(`connection ${s}`);
  }));
  // before ICE connects a peer gets twice the time (gathering, DTLS)
  const timer = setInterval(() => {
    const limit = connected ? timeoutMs : timeoutMs * 2;
    if (Date.now() - last > limit) fire(connected ? `no packets from the peer for ${timeoutMs} ms` : 'ICE did not connect in time');
  }, Math.max(250, Math.min(1000, timeoutMs / 4)));
  timer.unref();
  function stop() {
    clearInterval(timer);
    for (const s of subs) s.unSubscribe();
  }
  return stop;
}

/** The transceivers of the offer's audio and video sections that werift accepted. */
export function transceiversOf(pc: RTCPeerConnection): { audio?: RTCRtpTransceiver; video?: RTCRtpTransceiver } {
  const out: { audio?: RTCRtpTransceiver; video?: RTCRtpTransceiver } = {};
  for (const t of pc.getTransceivers()) {
    if (t.kind === 'audio' && !out.audio && t.codecs.length) out.audio = t;
    if (t.kind === 'video' && !out.video && t.codecs.length) out.video = t;
  }
  return out;
}
