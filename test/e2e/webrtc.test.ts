import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CreateDeviceDocument, ChannelPublishUrlDocument, ChannelLiveDocument, StreamsDocument } from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';
import { spawnFfmpeg, killAllFfmpeg, testSourceArgs, h264AacArgs, waitFor } from '../../media/test/support/ffmpeg.js';
import { chromiumMissing, launchChromium, type LaunchedBrowser } from '../../media/test/support/browser.js';
import { installWebRtcClient, rtcState, rtcStats, lastRtcStats, whepPlay } from '../../media/test/support/webrtc-client.js';

const missing = chromiumMissing();
if (missing) console.warn(`e2e webrtc: SKIPPED, ${missing}`);

/**
 * WebRTC through the public API: Channel.live(protocol: WEBRTC) hands out a WHEP URL that a real
 * Chromium plays (its own RTCPeerConnection), decoding the encoder's H.264 and receiving audio.
 */
describe.skipIf(missing !== null).each(MODES)('WebRTC through the API (%s)', (mode) => {
  let f: Fixture;
  let t: TenantFixture;
  let channelId: string;
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    f = await startFixture(mode, { MEDIA_IDLE_SECONDS: '3' });
    t = await f.tenant('webrtc');
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'encoder', protocol: 'RTMP', deviceCode: 'RTC1', channelCount: 1 },
    });
    channelId = createDevice.channels[0]!.id;
    const { channel } = await t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' });
    spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', channel!.publishUrl], { timeoutMs: 180_000 });
    browser = await launchChromium();
    await waitFor(async () => (await t.client.request(StreamsDocument)).streams.some((s) => s.channelId === channelId), {
      timeoutMs: 30_000,
      what: 'stream to be reported live',
    });
  });
  afterAll(async () => {
    await killAllFfmpeg();
    await browser?.close();
    await f?.close();
  });

  it('Channel.live(WEBRTC) returns a WHEP URL that Chromium plays', async () => {
    const { live } = (await t.client.request(ChannelLiveDocument, { channelId, protocol: 'WEBRTC', useTimes: 1 })).channel!;
    expect(live.url).toMatch(new RegExp(`/live/${channelId}/primary/whep\\?token=`));
    const page = await browser.context.newPage();
    await page.goto(new URL('/healthz', live.url).toString());
    await installWebRtcClient(page);
    expect(await whepPlay(page, live.url), JSON.stringify(await rtcState(page))).toBe(true);
    const s = await waitFor(async () => {
      const st = await rtcStats(page);
      return (st.inbound.video?.framesDecoded ?? 0) > 20 && (st.inbound.audio?.packetsReceived ?? 0) > 10 ? st : null;
    }, { timeoutMs: 30_000, what: () => `WebRTC playback: ${lastRtcStats()}` });
    expect(s.inbound.video).toMatchObject({ codec: 'video/H264', frameWidth: 640, frameHeight: 360 });
    // the viewer shows in the stream's readers
    await waitFor(async () => (await t.client.request(StreamsDocument)).streams.find((x) => x.channelId === channelId && (x.readersByProtocol as Record<string, number>).WEBRTC), {
      timeoutMs: 20_000, what: 'a WEBRTC reader in streams',
    });
    // the URL was for one use
    const again = await fetch(live.url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: (await page.evaluate('window.argusRtc.state.pc.localDescription.sdp')) as string });
    expect(again.status).toBe(403);
    await page.close();
  });

  it('Channel.live(PLAYER) returns the player page, which plays over WebRTC', async () => {
    const { live } = (await t.client.request(ChannelLiveDocument, { channelId, protocol: 'PLAYER', useTimes: 1 })).channel!;
    expect(live.url).toMatch(new RegExp(`/play/${channelId}/primary\\?token=`));
    const page = await browser.context.newPage();
    await page.goto(live.url);
    let last: unknown = null;
    await waitFor(async () => {
      const s = (last = await page.evaluate('JSON.parse(JSON.stringify(window.argusPlayerState))')) as { mode: string; state: string; stats: { framesDecoded?: number } };
      return s.mode === 'webrtc' && s.state === 'playing' && (s.stats.framesDecoded ?? 0) > 0;
    }, { timeoutMs: 30_000, what: () => `the player page: ${JSON.stringify(last)}` });
    await page.close();
  });
});
