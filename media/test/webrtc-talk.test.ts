/**
 * Browser talk over WebRTC with real headless Chromium and its fake microphone: the session hands
 * the microphone's audio to a TalkLeg, and what the leg plays back as device audio reaches the
 * browser. The leg here is a loopback (device audio = what the talker said), so both directions
 * are checked with one browser: frames arrive at the leg; inbound-rtp audio packetsReceived rises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createLogger } from '@argus/platform';
import { openWebRtcTalk, WEBRTC_DEFAULTS, WebRtcSessions, BadOffer } from '../src/egress/webrtc/index.js';
import type { TalkAudioFrame, TalkCodec, TalkLeg } from '../src/talk/talk-leg.js';
import { waitFor } from './support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from './support/browser.js';
import { installWebRtcClient, rtcStats, lastRtcStats } from './support/webrtc-client.js';
import { startPlayerPage, type PlayerPageServer } from './support/player-page.js';
import { execFileSync } from 'node:child_process';

const missing = chromiumMissing();
if (missing) console.warn(`webrtc-talk: SKIPPED, ${missing}`);

/** A leg whose "device" says back what it hears. */
class LoopbackLeg implements TalkLeg {
  readonly received: TalkAudioFrame[] = [];
  private listeners = new Set<(f: TalkAudioFrame) => void>();
  private closeListeners: Array<(reason: string) => void> = [];
  closedWith: string | null = null;
  constructor(readonly sessionId: string, readonly uplinkCodec: TalkCodec) {}
  send(frame: TalkAudioFrame): void {
    if (this.closedWith !== null) return;
    this.received.push(frame);
    for (const l of this.listeners) l(frame);
  }
  onDeviceAudio(listener: (frame: TalkAudioFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(reason = 'closed'): void {
    if (this.closedWith !== null) return;
    this.closedWith = reason;
    for (const l of this.closeListeners.splice(0)) l(reason);
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }
}

let browser: LaunchedBrowser;
let site: PlayerPageServer;
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const logger = createLogger('t', 'warn');

describe.skipIf(missing !== null)('browser talk over WebRTC in real headless Chromium', () => {
  beforeAll(async () => {
    [browser, site] = await Promise.all([launchChromium({ args: FAKE_MEDIA }), startPlayerPage()]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A page with the microphone on a sendrecv audio transceiver; returns its offer. */
  async function talkerOffer(page: Page): Promise<string> {
    // getUserMedia needs a secure context: an http://127.0.0.1 origin is one
    await page.goto(`${site.origin}/player.html?kind=none&src=x`);
    await installWebRtcClient(page);
    return (await page.evaluate(async () => {
      const w = window as unknown as { argusRtc: { state: { pc: RTCPeerConnection | null } } };
      const pc = (w.argusRtc.state.pc = new RTCPeerConnection());
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTransceiver(mic.getAudioTracks()[0]!, { direction: 'sendrecv' });
      pc.ontrack = (e) => {
        const a = document.createElement('audio');
        a.srcObject = new MediaStream([e.track]);
        a.autoplay = true;
        document.body.appendChild(a);
      };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => {
        if (pc.iceGatheringState === 'complete') return r();
        const t = setTimeout(r, 2000);
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(t), r());
      });
      return pc.localDescription!.sdp;
    })) as string;
  }

  for (const codec of ['OPUS', 'PCMU'] as const) {
    it(`carries microphone audio to the leg and device audio back to the browser (${codec})`, async () => {
      const page = await browser.context.newPage();
      const sessions = new WebRtcSessions(10);
      const leg = new LoopbackLeg(`talk-${codec}`, codec);
      try {
        const offer = await talkerOffer(page);
        const { session, answer } = await openWebRtcTalk(offer, leg, { config: { ...WEBRTC_DEFAULTS, iceTimeoutMs: 5000 }, logger, sessions });
        expect(session.codec).toBe(codec);
        expect(sessions.find(session.id, 'talk', `talk/${leg.sessionId}`)).toBe(session);
        await page.evaluate((sdp) => (window as unknown as { argusRtc: { state: { pc: RTCPeerConnection } } }).argusRtc.state.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
        await waitFor(() => leg.received.length > 50, { timeoutMs: 20_000, what: () => `microphone frames at the leg (${leg.received.length})` });
        const f = leg.received[leg.received.length - 1]!;
        expect(f).toMatchObject({ codec, sampleRate: codec === 'OPUS' ? 48000 : 8000 });
        expect(f.payload.length).toBeGreaterThan(0);
        expect(leg.received.at(-1)!.timestamp).toBeGreaterThan(leg.received[0]!.timestamp);
        const first = await waitFor(async () => {
          const s = await rtcStats(page);
          return (s.inbound.audio?.packetsReceived ?? 0) > 20 ? s : null;
        }, { timeoutMs: 20_000, what: () => `device audio in the browser: ${lastRtcStats()}` });
        expect(first.inbound.audio?.codec).toBe(codec === 'OPUS' ? 'audio/opus' : 'audio/PCMU');
        expect(first.outbound.audio?.packetsSent ?? 0).toBeGreaterThan(0);
        await waitFor(async () => ((await rtcStats(page)).inbound.audio?.packetsReceived ?? 0) > first.inbound.audio!.packetsReceived! + 25, {
          timeoutMs: 20_000, what: 'device audio to keep coming',
        });
        expect(session.framesDown).toBeGreaterThan(0);
        // the leg ending (device gone) ends the WebRTC session
        leg.close('device hung up');
        expect(session.closed).toBe(true);
        expect(sessions.count('talk')).toBe(0);
      } finally {
        leg.close();
        await page.close();
      }
    });
  }

  it('refuses an offer without audio, and closes the leg when the browser vanishes', async () => {
    const leg = new LoopbackLeg('talk-silent', 'OPUS');
    await expect(openWebRtcTalk('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ice-ufrag:x\r\na=ice-pwd:yyyyyyyyyyyyyyyyyyyyyy\r\na=fingerprint:sha-256 00\r\na=rtpmap:96 H264/90000\r\n', leg, { config: WEBRTC_DEFAULTS, logger }))
      .rejects.toBeInstanceOf(BadOffer);
    // a second Chromium, killed outright: the leg must not wait for a goodbye that never comes
    const doomed = await launchChromium({ args: FAKE_MEDIA });
    try {
      const page = await doomed.context.newPage();
      const offer = await talkerOffer(page);
      const { answer } = await openWebRtcTalk(offer, leg, { config: { ...WEBRTC_DEFAULTS, iceTimeoutMs: 2000 }, logger });
      await page.evaluate((sdp) => (window as unknown as { argusRtc: { state: { pc: RTCPeerConnection } } }).argusRtc.state.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      await waitFor(() => leg.received.length > 10, { timeoutMs: 20_000, what: 'microphone frames' });
      execFileSync('pkill', ['-KILL', '-f', doomed.profile]);
      await waitFor(() => leg.closedWith !== null, { timeoutMs: 20_000, what: 'the leg to be closed' });
      expect(leg.closedWith).toMatch(/no packets|failed|closed/);
    } finally {
      leg.close();
      await doomed.close();
    }
  });
});
