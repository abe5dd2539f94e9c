/**
 * WHEP and WHIP clients running inside a real Chromium page (the browser's own RTCPeerConnection),
 * for WebRTC tests and benchmarks: `installWebRtcClient(page)` adds `window.argusRtc` with
 * play(url) / publish(url) / stats() / close(), and the helpers below call it.
 */
import type { Page } from 'playwright-core';

const CLIENT_JS = `(() => {
  if (window.argusRtc) return;
  const state = { pc: null, resource: null, status: null, error: null, events: [], firstFrameAt: null, startedAt: null, video: null };
  const ev = (e) => { if (state.events.length < 200) state.events.push(Math.round(performance.now()) + ' ' + e); };
  async function negotiate(pc, url, o) {
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (!o.trickle) {
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        const t = setTimeout(resolve, 2000);
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
      });
    }
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
    state.status = r.status;
    const body = await r.text();
    state.links = r.headers.get('link');
    if (r.status !== 201) { state.error = 'HTTP ' + r.status + ' ' + body; return false; }
    state.resource = new URL(r.headers.get('location'), url).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return true;
  }
  function watch(pc) {
    pc.addEventListener('connectionstatechange', () => ev('connection ' + pc.connectionState));
    pc.addEventListener('iceconnectionstatechange', () => ev('ice ' + pc.iceConnectionState));
  }
  window.argusRtc = {
    state,
    async play(url, o = {}) {
      state.startedAt = performance.now();
      const pc = state.pc = new RTCPeerConnection(o.config || {});
      watch(pc);
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      const video = state.video = document.createElement('video');
      video.muted = true; video.autoplay = true; video.playsInline = true;
      document.body.appendChild(video);
      const ms = new MediaStream();
      pc.addEventListener('track', (e) => { ms.addTrack(e.track); video.srcObject = ms; video.play().catch(() => {}); });
      if ('requestVideoFrameCallback' in video) {
        video.requestVideoFrameCallback(() => { state.firstFrameAt = performance.now(); ev('first frame'); });
      }
      try { return await negotiate(pc, url, o); } catch (e) { state.error = String(e); return false; }
    },
    async publish(url, o = {}) {
      const pc = state.pc = new RTCPeerConnection(o.config || {});
      watch(pc);
      const media = await navigator.mediaDevices.getUserMedia({ video: o.video !== false ? { width: 640, height: 360, frameRate: 25 } : false, audio: o.audio !== false });
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
      if (o.h264 !== false) {
        for (const t of pc.getTransceivers()) {
          if (t.sender.track && t.sender.track.kind === 'video') {
            const codecs = RTCRtpSender.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
            if (codecs.length) t.setCodecPreferences(codecs);
          }
        }
      }
      try { return await negotiate(pc, url, o); } catch (e) { state.error = String(e); return false; }
    },
    async stats() {
      const out = { connection: state.pc ? state.pc.connectionState : 'none', inbound: {}, outbound: {}, candidatePair: null, firstFrameMs: state.firstFrameAt === null ? null : state.firstFrameAt - state.startedAt };
      if (!state.pc) return out;
      const report = await state.pc.getStats();
      const byId = new Map(); report.forEach((s) => byId.set(s.id, s));
      report.forEach((s) => {
        if (s.type === 'inbound-rtp') out.inbound[s.kind] = { packetsReceived: s.packetsReceived, packetsLost: s.packetsLost, bytesReceived: s.bytesReceived, framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded, frameWidth: s.frameWidth, frameHeight: s.frameHeight, codec: (byId.get(s.codecId) || {}).mimeType, nackCount: s.nackCount, pliCount: s.pliCount, totalSamplesReceived: s.totalSamplesReceived, jitterBufferDelay: s.jitterBufferDelay, jitterBufferEmittedCount: s.jitterBufferEmittedCount };
        if (s.type === 'outbound-rtp') out.outbound[s.kind] = { packetsSent: s.packetsSent, bytesSent: s.bytesSent, framesEncoded: s.framesEncoded, codec: (byId.get(s.codecId) || {}).mimeType };
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          const l = byId.get(s.localCandidateId) || {}; const r = byId.get(s.remoteCandidateId) || {};
          out.candidatePair = { local: l.protocol + ' ' + l.candidateType, remote: r.protocol + ' ' + r.candidateType + ' ' + r.address + ':' + r.port };
        }
      });
      return out;
    },
    async close(o = {}) {
      if (o.delete !== false && state.resource) await fetch(state.resource, { method: 'DELETE' }).catch(() => {});
      if (state.pc) state.pc.close();
    },
  };
})();`;

export interface RtcStats {
  connection: string;
  inbound: Record<string, { packetsReceived?: number; packetsLost?: number; bytesReceived?: number; framesDecoded?: number; keyFramesDecoded?: number; frameWidth?: number; frameHeight?: number; codec?: string; nackCount?: number; pliCount?: number; totalSamplesReceived?: number }>;
  outbound: Record<string, { packetsSent?: number; bytesSent?: number; framesEncoded?: number; codec?: string }>;
  candidatePair: { local: string; remote: string } | null;
  firstFrameMs: number | null;
}

export interface RtcState {
  status: number | null;
  error: string | null;
  resource: string | null;
  links: string | null;
  events: string[];
}

export async function installWebRtcClient(page: Page): Promise<void> {
  await page.evaluate(CLIENT_JS);
}

/** Starts WHEP playback of `url`; true when the server answered 201. */
export function whepPlay(page: Page, url: string, o: { config?: RTCConfiguration; trickle?: boolean } = {}): Promise<boolean> {
  return page.evaluate(([u, opts]) => (window as unknown as { argusRtc: { play(u: string, o: unknown): Promise<boolean> } }).argusRtc.play(u, opts), [url, o] as const);
}

/** Publishes the fake camera (and microphone) to a WHIP `url`. */
export function whipPublish(page: Page, url: string, o: { audio?: boolean; video?: boolean } = {}): Promise<boolean> {
  return page.evaluate(([u, opts]) => (window as unknown as { argusRtc: { publish(u: string, o: unknown): Promise<boolean> } }).argusRtc.publish(u, opts), [url, o] as const);
}

let lastStats: RtcStats | null = null;

export async function rtcStats(page: Page): Promise<RtcStats> {
  return (lastStats = (await page.evaluate('window.argusRtc.stats()')) as RtcStats);
}

/** The stats rtcStats() read last (for timeout messages, which cannot wait). */
export function lastRtcStats(): string {
  return JSON.stringify(lastStats);
}

export function rtcState(page: Page): Promise<RtcState> {
  return page.evaluate('JSON.parse(JSON.stringify({ status: window.argusRtc.state.status, error: window.argusRtc.state.error, resource: window.argusRtc.state.resource, links: window.argusRtc.state.links, events: window.argusRtc.state.events }))') as Promise<RtcState>;
}

/** Ends the session: DELETE then close (or only close: the browser "vanishes"). */
export function rtcClose(page: Page, o: { delete?: boolean } = {}): Promise<void> {
  return page.evaluate((opts) => (window as unknown as { argusRtc: { close(o: unknown): Promise<void> } }).argusRtc.close(opts), o);
}
