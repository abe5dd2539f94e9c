/**
 * Two-way talk through the public API, in both modes: startTalk hands out a single-use URL; a real
 * ONVIF backchannel talker (GStreamer's rtspsrc backchannel=onvif) talks through Argus's RTSP
 * backchannel server to a camera that is itself GStreamer's ONVIF backchannel server (the tone is
 * measured where the camera decodes it, and the camera's tone back at the talker); a WebSocket
 * talker reaches a Hikvision device over ISAPI two-way audio (simulated: no open peer exists);
 * one talker per channel (CONFLICT, force takes over), TALK entitlement, talkSessions with who and
 * how long, talk minutes metered by billing, GB28181 refused with a clear reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateDeviceDocument, StartTalkDocument, StopTalkDocument, TalkSessionsDocument, UsageTotalsDocument, UpdateBillingAccountDocument,
  ArgusClientError, type ArgusClient,
} from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';
import { waitFor } from '../../media/test/support/ffmpeg.js';
import { missingGstreamerTalk, readPcm, startFakeCamera, startGstTalker, WsTalker, type FakeCamera, type PythonPeer } from '../../media/test/support/talk-peers.js';
import { startIsapiTwoWayAudioSim, type IsapiTalkSim } from '../sim/isapi-two-way-audio.js';
import { measureToneHz, rms, ToneGenerator, samplesToL16, l16ToSamples } from '../../media/src/talk/index.js';

const missing = missingGstreamerTalk();
if (missing) process.stderr.write(`\n[talk.test] GStreamer parts SKIPPED: ${missing}\n`);

async function errorOf(p: Promise<unknown>): Promise<ArgusClientError> {
  const e = await p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: unknown) => err,
  );
  if (!(e instanceof ArgusClientError)) throw e;
  return e;
}

/** The fake camera asks for Digest credentials, as cameras do. */
const CAMERA_LOGIN = { username: 'admin', password: 'cam-pass' };

async function device(client: ArgusClient, protocol: 'RTSP' | 'ISAPI' | 'GB28181', address: string | null, login?: { username: string; password: string }) {
  const { createDevice } = await client.request(CreateDeviceDocument, {
    input: { name: `talk ${protocol}`, protocol, deviceCode: `talk-${randomUUID().slice(0, 8)}`, channelCount: 1, ...(address ? { address } : {}), ...(login ?? {}) },
  });
  return createDevice.channels[0]!.id;
}

describe.each(MODES)('two-way talk through the API (%s)', (mode) => {
  let f: Fixture;
  let t: TenantFixture;
  let dir: string;
  let camera: FakeCamera | null = null;
  let isapi: IsapiTalkSim;
  const peers: PythonPeer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-talk-e2e-'));
    f = await startFixture(mode, { MEDIA_TALK_SESSION_TIMEOUT_SECONDS: '3' });
    t = await f.tenant('talk');
    if (!missing) camera = await startFakeCamera(dir, { codec: 'PCMU', tone: 440, auth: 'admin:cam-pass' });
    isapi = await startIsapiTwoWayAudioSim({ username: 'admin', password: 'hik12345', compression: 'G.711alaw', tone: 440 });
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await camera?.stop();
    await isapi?.stop();
    await f?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const sessionsOf = async (channelId: string) =>
    (await t.client.request(TalkSessionsDocument, { channelId })).talkSessions.edges.map((e) => e.node);

  it.skipIf(missing !== null)('an ONVIF talker reaches an ONVIF camera: 1 kHz heard by the camera, the camera’s 440 Hz heard by the talker', async () => {
    const channelId = await device(t.client, 'RTSP', camera!.url, CAMERA_LOGIN);
    const { startTalk } = await t.client.request(StartTalkDocument, { channelId, transport: 'RTSP', codec: 'L16', sampleRate: 8000, expiresIn: 120 });
    expect(startTalk.url).toMatch(/^rtsp:\/\/127\.0\.0\.1:\d+\/cam\/talk\/devices\?vcuid=.+&encodeType=PCM1&bits=16&sampleRate=8000&token=tt1\./);
    expect(startTalk.session).toMatchObject({ status: 'ISSUED', transport: 'RTSP', codec: 'L16', sampleRate: 8000, channel: { id: channelId } });
    expect(Date.parse(startTalk.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);

    const record = join(dir, `talker-${mode}.s16le`);
    const talker = startGstTalker(startTalk.url, { tone: 1000, record });
    peers.push(talker);
    await talker.log.waitFor(/^PLAYING/, 30_000, 'the talker to play', talker.stderr);
    const n = Number((await camera!.log.waitFor(/^CLIENT (\d+)/, 30_000, 'the camera to see Argus', camera!.stderr))[1]);
    await waitFor(async () => (await readPcm(camera!.recording(n))).length >= 8000 * 2, { timeoutMs: 30_000, what: 'the camera to hear 2 s' });
    const atCamera = (await readPcm(camera!.recording(n))).subarray(8000);
    expect(measureToneHz(atCamera, 8000)).toBeCloseTo(1000, -1);
    expect(rms(atCamera)).toBeGreaterThan(3000);
    await waitFor(async () => (await readPcm(record)).length >= 8000 * 2, { timeoutMs: 30_000, what: 'the talker to hear the camera' });
    expect(measureToneHz((await readPcm(record)).subarray(8000), 8000)).toBeCloseTo(440, -1);

    const active = await waitFor(async () => (await sessionsOf(channelId)).find((s) => s.status === 'ACTIVE'), { what: 'the session to be ACTIVE' });
    expect(active).toMatchObject({ id: startTalk.session.id, transport: 'RTSP', codec: 'L16', createdByApp: expect.any(String), channel: { id: channelId } });
    expect(active.device).toMatch(/^ONVIF backchannel PCMU\/8000, microphone PCMU\/8000/);
    expect(active.durationSeconds).toBeGreaterThan(0);

    // a second talker gets CONFLICT; force takes the channel over and the first talker is cut off
    const busy = await errorOf(t.client.request(StartTalkDocument, { channelId, transport: 'WEBSOCKET' }));
    expect(busy.code).toBe('CONFLICT');
    expect(busy.errors[0]!.extensions).toMatchObject({ sessionId: startTalk.session.id, status: 'ACTIVE' });
    const { startTalk: second } = await t.client.request(StartTalkDocument, { channelId, transport: 'RTSP', codec: 'PCMU', force: true });
    await talker.exited;
    const first = await waitFor(async () => (await sessionsOf(channelId)).find((s) => s.id === startTalk.session.id && s.status === 'ENDED' && s.durationSeconds > 0), {
      what: 'the first session to end with its duration',
    });
    expect(first.endReason).toBe('taken over');
    expect(first.durationSeconds).toBeGreaterThan(1);
    await t.client.request(StopTalkDocument, { sessionId: second.session.id });
    expect((await sessionsOf(channelId)).find((s) => s.id === second.session.id)).toMatchObject({ status: 'ENDED', endReason: 'stopped', durationSeconds: 0 });

    // billing metered the talk time
    await waitFor(
      async () => (await t.client.request(UsageTotalsDocument, { filter: { channelId } })).usageTotals.find((u) => u.metric === 'TALK_SECONDS' && u.quantity > 1),
      { timeoutMs: 20_000, what: 'TALK_SECONDS in the usage totals' },
    );
  }, 120_000);

  it.skipIf(missing !== null)('refuses a used URL (403) and frees the channel when a talker stops answering (session timeout)', async () => {
    const channelId = await device(t.client, 'RTSP', camera!.url, CAMERA_LOGIN);
    const { startTalk } = await t.client.request(StartTalkDocument, { channelId, transport: 'RTSP', codec: 'PCMA' });
    const talker = startGstTalker(startTalk.url);
    peers.push(talker);
    await talker.log.waitFor(/^PLAYING/, 30_000, 'the talker to play', talker.stderr);
    const again = startGstTalker(startTalk.url);
    peers.push(again);
    expect((await again.log.waitFor(/^ERROR (.*)/, 30_000, 'the reused URL to be refused', again.stderr))[1]).toMatch(/Forbidden|403/i);
    await waitFor(async () => (await sessionsOf(channelId))[0]?.status === 'ACTIVE', { what: 'ACTIVE' });
    talker.child.kill('SIGSTOP');
    const ended = await waitFor(async () => (await sessionsOf(channelId)).find((s) => s.status === 'ENDED'), { timeoutMs: 30_000, what: 'the session timeout' });
    expect(ended.endReason).toBe('session timeout');
    // the channel is free again
    expect((await t.client.request(StartTalkDocument, { channelId, transport: 'WEBSOCKET' })).startTalk.session.status).toBe('ISSUED');
  }, 90_000);

  it('a WebSocket talker (L16 16 kHz) reaches a Hikvision device over ISAPI two-way audio (G.711 A-law), both ways', async () => {
    const channelId = await device(t.client, 'ISAPI', isapi.url, { username: 'admin', password: 'hik12345' });
    const { startTalk } = await t.client.request(StartTalkDocument, { channelId, transport: 'WEBSOCKET', codec: 'L16', sampleRate: 16000 });
    expect(startTalk.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/talk\/ws\?vcuid=.+&token=tt1\./);
    const ws = await WsTalker.connect(startTalk.url);
    await waitFor(() => ws.control.find((m) => m.type === 'ready'), { what: 'ready' });
    expect(ws.control[0]).toMatchObject({ type: 'ready', codec: 'L16', sampleRate: 16000, device: expect.stringMatching(/^ISAPI two-way audio PCMA\/8000/) });
    expect(isapi.session(1)).not.toBeNull();
    const gen = new ToneGenerator(1000, 16000);
    for (let i = 0; i < 100; i++) {
      ws.send(samplesToL16(gen.next(320)));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => isapi.heard(1).length >= 8000 * 1.5, { what: 'the device to hear 1.5 s' });
    expect(measureToneHz(isapi.heard(1).subarray(1600), 8000)).toBeCloseTo(1000, -1);
    await waitFor(() => ws.received.length >= 50, { what: 'the device’s audio over the WebSocket' });
    const back = l16ToSamples(Buffer.concat(ws.received.map((r) => r.payload)));
    expect(measureToneHz(back.subarray(3200), 16000)).toBeCloseTo(440, -1);
    ws.ws.send(JSON.stringify({ type: 'bye' }));
    await ws.closed();
    await waitFor(() => isapi.session(1) === null, { what: 'PUT …/close at the device' });
    expect(isapi.requests).toEqual(expect.arrayContaining([
      'GET /ISAPI/System/TwoWayAudio/channels/1', 'PUT /ISAPI/System/TwoWayAudio/channels/1/open',
      'PUT /ISAPI/System/TwoWayAudio/channels/1/audioData', 'GET /ISAPI/System/TwoWayAudio/channels/1/audioData',
      'PUT /ISAPI/System/TwoWayAudio/channels/1/close',
    ]));
    const ended = await waitFor(async () => (await sessionsOf(channelId)).find((s) => s.status === 'ENDED'), { what: 'ENDED' });
    expect(ended).toMatchObject({ endReason: 'talker hung up', transport: 'WEBSOCKET' });
  }, 60_000);

  it('refuses what cannot talk: a GB28181 device (503, with the reason), wrong arguments, a channel without TALK, another tenant’s channel', async () => {
    const gb = await device(t.client, 'GB28181', null);
    const { startTalk } = await t.client.request(StartTalkDocument, { channelId: gb, transport: 'WEBSOCKET', codec: 'PCMU' });
    await expect(WsTalker.connect(startTalk.url)).rejects.toMatchObject({ status: 503, body: expect.stringContaining('GB28181 voice broadcast/talk is not implemented yet') });
    const failed = await waitFor(async () => (await sessionsOf(gb)).find((s) => s.status === 'ENDED'), { what: 'the failed session to end' });
    expect(failed.endReason).toContain('GB28181');
    expect(failed.durationSeconds).toBe(0);

    const isapiChannel = await device(t.client, 'ISAPI', isapi.url, { username: 'admin', password: 'hik12345' });
    expect((await errorOf(t.client.request(StartTalkDocument, { channelId: isapiChannel, transport: 'RTSP', expiresIn: 601 }))).errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresIn' });
    expect((await errorOf(t.client.request(StartTalkDocument, { channelId: isapiChannel, transport: 'RTSP', codec: 'PCMU', sampleRate: 16000 }))).errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sampleRate' });
    expect((await errorOf(t.client.request(StartTalkDocument, { channelId: isapiChannel, transport: 'WEBRTC', codec: 'L16' }))).errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'codec' });
    expect((await sessionsOf(isapiChannel))).toEqual([]); // refused means nothing written

    const noTalk = await f.tenant('no-talk', { defaultOpen: ['MANAGE'] });
    const ch = await device(noTalk.client, 'ISAPI', isapi.url);
    const refused = await errorOf(noTalk.client.request(StartTalkDocument, { channelId: ch, transport: 'WEBSOCKET' }));
    expect(refused.code).toBe('ENTITLEMENT_MISSING');
    expect(refused.errors[0]!.extensions).toMatchObject({ resourceType: 'TALK' });

    // a URL handed out with TALK is refused by the media node once TALK is gone
    const losing = await f.tenant('losing-talk');
    const lc = await device(losing.client, 'ISAPI', isapi.url, { username: 'admin', password: 'hik12345' });
    const issued = (await losing.client.request(StartTalkDocument, { channelId: lc, transport: 'WEBSOCKET', codec: 'PCMU' })).startTalk;
    await f.admin.request(UpdateBillingAccountDocument, { input: { clientRequestId: `talk-${randomUUID()}`, tenantId: losing.tenantId, defaultOpen: ['MANAGE'] } });
    await waitFor(
      () => losing.client.request(StartTalkDocument, { channelId: lc, transport: 'WEBSOCKET', force: true }).then(() => false, (e: ArgusClientError) => e.code === 'ENTITLEMENT_MISSING'),
      { what: 'TALK to be gone' },
    );
    await new Promise((r) => setTimeout(r, 1000)); // the media node hears billing's change on the bus too
    await expect(WsTalker.connect(issued.url)).rejects.toMatchObject({ status: 403, body: expect.stringContaining('ENTITLEMENT_MISSING') });

    const other = await f.tenant('talk-other');
    expect((await errorOf(other.client.request(StartTalkDocument, { channelId: isapiChannel, transport: 'WEBSOCKET' }))).code).toBe('NOT_FOUND');
    expect((await other.client.request(TalkSessionsDocument, {})).talkSessions.edges).toEqual([]);
    expect((await errorOf(other.client.request(StopTalkDocument, { sessionId: startTalk.session.id }))).code).toBe('NOT_FOUND');
  }, 60_000);
});
