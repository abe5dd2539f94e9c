/**
 * Talk on a media node, with real talkers and a device leg in memory: GStreamer's rtspsrc with
 * backchannel=onvif talks a tone through the RTSP backchannel server (appendix 5.6 of the
 * northbound spec) and hears the device's tone back; a WebSocket talker does the same; the RTSP
 * exchange is checked field by field (Require → 551, SDP directions, TCP only, RTP-Info); bad,
 * used and expired URLs are refused with the right status; one talker per channel (a newer session
 * takes over); a talker that stops answering frees the channel after the session timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createLogger, createRuntime, InProcessBus, loadConfig, TalkTokenCodec, TALK_SUBJECTS, buildTalkUrl,
  type ServiceRuntime, type TalkCodecName, type TalkEndedEvent, type TalkStartedEvent, type TalkTokenClaims, type TalkTransport,
} from '@argus/platform';
import { parseSdp, rtspHeader, sdpAttribute, serializeRtspInterleaved } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { rtspModule, type RtspModule } from '../src/egress/rtsp/index.js';
import { RtspClient } from '../src/ingest/rtsp-pull/index.js';
import {
  talkModule, ToneGenerator, measureToneHz, rms, DeviceTalkUnavailable, RtpAudioSender, samplesToL16,
  type DeviceTalkConnector, type TalkModule,
} from '../src/talk/index.js';
import { encodeG711, g711ToSamples } from '../src/transcode/g711.js';
import { waitFor } from './support/ffmpeg.js';
import { MemoryDevice, missingGstreamerTalk, readPcm, startGstTalker, WsTalker, type PythonPeer } from './support/talk-peers.js';

const missing = missingGstreamerTalk();
if (missing) process.stderr.write(`\n[talk-rtsp.test] GStreamer talker tests SKIPPED: ${missing}\n`);

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtsp: RtspModule;
let talk: TalkModule;
const devices = new Map<string, MemoryDevice>();
const refusedChannels = new Set<string>();
const started: TalkStartedEvent[] = [];
const ended: TalkEndedEvent[] = [];
const peers: PythonPeer[] = [];
const SESSION_TIMEOUT = 2;

const connector: DeviceTalkConnector = {
  async open(req) {
    if (refusedChannels.has(req.channelId)) throw new DeviceTalkUnavailable('the camera is offline');
    const d = new MemoryDevice(req.channelId);
    devices.set(req.sessionId, d);
    return d;
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-talk-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  rtsp = rtspModule();
  talk = talkModule({ connector, config: { sessionTimeoutSeconds: SESSION_TIMEOUT } });
  await server.start([rtsp, talk]);
  await runtime.bus.subscribe<TalkStartedEvent>(TALK_SUBJECTS.started, (e) => void started.push(e.data));
  await runtime.bus.subscribe<TalkEndedEvent>(TALK_SUBJECTS.ended, (e) => void ended.push(e.data));
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let iat = Date.now();
function issue(channelId: string, transport: TalkTransport, codec: TalkCodecName = 'L16', sampleRate = 8000, expSeconds = 120): { claims: TalkTokenClaims; url: string } {
  const claims: TalkTokenClaims = {
    sessionId: `tlk_${randomBytes(6).toString('hex')}`, tenantId: 't1', channelId, transport, codec, sampleRate,
    exp: Math.floor(Date.now() / 1000) + expSeconds, iat: ++iat,
  };
  const token = TalkTokenCodec.fromConfig(runtime.config).sign(claims);
  const endpoints = { http: `http://127.0.0.1:${server.httpPort}`, ws: `ws://127.0.0.1:${server.httpPort}`, rtsp: `rtsp://127.0.0.1:${rtsp.port}` };
  return { claims, url: buildTalkUrl(endpoints, claims, token) };
}

async function connect(): Promise<RtspClient> {
  return RtspClient.connect('127.0.0.1', rtsp.port, null, 5000);
}

const REQUIRE: [string, string] = ['Require', 'www.onvif.org/ver20/backchannel'];
const endedOf = (sessionId: string) => ended.find((e) => e.sessionId === sessionId);

describe('RTSP backchannel exchange (appendix 5.6)', () => {
  it('answers OPTIONS, refuses DESCRIBE without the Require header (551), then describes, sets up over TCP and plays', async () => {
    const { claims, url } = issue('ch-exchange', 'RTSP', 'L16', 8000);
    expect(url).toMatch(/\/cam\/talk\/devices\?vcuid=ch-exchange&encodeType=PCM1&bits=16&sampleRate=8000&token=tt1\./);
    const c = await connect();
    try {
      const options = await c.request('OPTIONS', url);
      expect(options.status).toBe(200);
      expect(rtspHeader(options.headers, 'Public')).toContain('GET_PARAMETER');

      const bare = await c.request('DESCRIBE', url, [['Accept', 'application/sdp']]);
      expect(bare.status).toBe(551);
      expect(devices.has(claims.sessionId)).toBe(false); // nothing opened, the URL is not used up

      const described = await c.request('DESCRIBE', url, [['Accept', 'application/sdp'], REQUIRE]);
      expect(described.status).toBe(200);
      expect(rtspHeader(described.headers, 'Content-Type')).toBe('application/sdp');
      expect(rtspHeader(described.headers, 'Content-Base')).toBe(`${url}/`);
      const sdp = parseSdp(described.body);
      expect(sdp.media).toHaveLength(2);
      const [device, back] = sdp.media;
      expect(sdpAttribute(device!.attributes, 'control')).toBe('trackID=1');
      expect(sdpAttribute(device!.attributes, 'rtpmap')).toBe('97 L16/8000');
      expect(device!.attributes.some((a) => a.name === 'recvonly')).toBe(true);
      expect(sdpAttribute(back!.attributes, 'control')).toBe('trackID=5');
      expect(sdpAttribute(back!.attributes, 'rtpmap')).toBe('97 L16/8000');
      expect(back!.attributes.some((a) => a.name === 'sendonly')).toBe(true);

      // UDP is refused: talk runs over the RTSP connection
      const udp = await c.request('SETUP', `${url}/trackID=1`, [['Transport', 'RTP/AVP;unicast;client_port=5000-5001']]);
      expect(udp.status).toBe(461);
      const s1 = await c.expectOk('SETUP', `${url}/trackID=1`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=2-3;mode=play']]);
      expect(rtspHeader(s1.headers, 'Session')).toMatch(/^[0-9a-f]+;timeout=2$/);
      expect(rtspHeader(s1.headers, 'Transport')).toMatch(/^RTP\/AVP\/TCP;unicast;interleaved=2-3;ssrc=[0-9A-F]{8}/i);
      const s5 = await c.expectOk('SETUP', `${url}/trackID=5`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=10-11;mode=play']]);
      expect(rtspHeader(s5.headers, 'Transport')).toContain('interleaved=10-11');
      const play = await c.expectOk('PLAY', url);
      const info = rtspHeader(play.headers, 'RTP-Info') ?? '';
      expect(info).toContain('trackID=1;seq=');
      expect(info).toContain('trackID=5;seq=0;rtptime=0');

      // the device's 440 Hz arrives as L16 RTP on channel 2; a 1000 Hz tone sent on channel 10 reaches the device
      const heard: Buffer[] = [];
      c.on('interleaved', (ch: number, p: Buffer) => ch === 2 && heard.push(p.subarray(12)));
      const sender = new RtpAudioSender({ codec: 'L16', sampleRate: 8000, channels: 1, payloadType: 97 });
      const gen = new ToneGenerator(1000, 8000);
      for (let i = 0; i < 50; i++) {
        for (const p of sender.packets(samplesToL16(gen.next(160)), i * 20)) c.socket.write(serializeRtspInterleaved(10, p));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await c.request('GET_PARAMETER', url)).status).toBe(200);
      const device0 = devices.get(claims.sessionId)!;
      await waitFor(() => device0.heardSamples.length >= 6000, { what: 'the device to hear the talker' });
      expect(measureToneHz(device0.heardSamples.subarray(800), 8000)).toBeCloseTo(1000, -1);
      await waitFor(() => heard.length >= 25, { what: 'device audio at the talker' });
      const samples = new Int16Array(Buffer.concat(heard).length / 2).map((_, i) => Buffer.concat(heard).readInt16BE(i * 2));
      expect(measureToneHz(samples.subarray(800), 8000)).toBeCloseTo(440, -1);

      expect((await c.request('TEARDOWN', url)).status).toBe(200);
      await waitFor(() => endedOf(claims.sessionId), { what: 'talk.ended' });
      expect(endedOf(claims.sessionId)).toMatchObject({ reason: 'talker hung up', channelId: 'ch-exchange', tenantId: 't1', transport: 'RTSP' });
      expect(endedOf(claims.sessionId)!.durationMs).toBeGreaterThan(500);
      expect(endedOf(claims.sessionId)!.bytesUp).toBeGreaterThan(10_000);
      expect(started.find((e) => e.sessionId === claims.sessionId)).toMatchObject({ codec: 'L16', sampleRate: 8000, device: 'memory device PCMU/8000' });
      expect(device0.closed).toBe('talker hung up');
    } finally {
      c.close();
    }
  });

  it('refuses a bad token (401), a used single-use URL (403), an expired URL (401), another codec in the URL (403)', async () => {
    const status = async (url: string, method = 'DESCRIBE') => {
      const c = await connect();
      try {
        return (await c.request(method, url, [['Accept', 'application/sdp'], REQUIRE])).status;
      } finally {
        c.close();
      }
    };
    const { url } = issue('ch-refuse', 'RTSP');
    const forged = url.replace(/token=tt1\.([^.]+)\.(.*)$/, (_, body) => `token=tt1.${body}.${'A'.repeat(43)}`);
    expect(await status(forged)).toBe(401);
    expect(await status(url.replace(/&token=.*$/, ''))).toBe(401);
    expect(await status(url)).toBe(200);
    expect(await status(url)).toBe(403); // single use
    const expired = issue('ch-refuse-2', 'RTSP', 'L16', 8000, -5);
    expect(await status(expired.url)).toBe(401);
    const fresh = issue('ch-refuse-3', 'RTSP', 'L16', 8000);
    expect(await status(fresh.url.replace('encodeType=PCM1', 'encodeType=G711A'))).toBe(403);
    const ws = issue('ch-refuse-4', 'WEBSOCKET');
    const wsToken = new URL(ws.url).searchParams.get('token')!;
    expect(await status(`rtsp://127.0.0.1:${rtsp.port}/cam/talk/devices?vcuid=ch-refuse-4&encodeType=PCM1&bits=16&sampleRate=8000&token=${wsToken}`)).toBe(403);
    refusedChannels.add('ch-offline');
    const offline = issue('ch-offline', 'RTSP');
    expect(await status(offline.url)).toBe(503);
    await waitFor(() => endedOf(offline.claims.sessionId), { what: 'talk.ended of a session that never started' });
    expect(endedOf(offline.claims.sessionId)).toMatchObject({ startedAt: null, durationMs: 0, reason: 'device unavailable: the camera is offline' });
  });
});

describe.skipIf(missing !== null)('GStreamer rtspsrc backchannel=onvif as the talker', () => {
  it.each([
    ['L16', 8000],
    ['PCMA', 8000],
    ['L16', 16000],
    ['AAC', 16000],
    ['PCMU', 8000],
  ] as const)('talks %s/%i: the device hears the 1 kHz tone and the talker hears the device’s 440 Hz', async (codec, rate) => {
    const ch = `ch-gst-${codec}-${rate}`;
    const { claims, url } = issue(ch, 'RTSP', codec, rate);
    const record = join(dir, `${ch}.s16le`);
    const talker = startGstTalker(url, { tone: 1000, record });
    peers.push(talker);
    await talker.log.waitFor(/^BACKCHANNEL \d+/, 20_000, 'rtspsrc to find the backchannel', talker.stderr);
    const device = await waitFor(() => devices.get(claims.sessionId), { what: 'the device leg' });
    await waitFor(() => device.heardSamples.length >= 8000 * 1.5, { timeoutMs: 20_000, what: `the device to hear 1.5 s: ${talker.stderr()}` });
    const heard = device.heardSamples.subarray(4000);
    expect(measureToneHz(heard, 8000)).toBeCloseTo(1000, -1);
    expect(rms(heard)).toBeGreaterThan(3000);
    await waitFor(async () => (await readPcm(record)).length >= 8000 * 1.5, { timeoutMs: 20_000, what: 'the talker to hear the device' });
    const back = (await readPcm(record)).subarray(4000);
    expect(measureToneHz(back, 8000)).toBeCloseTo(440, -1);
    await talker.stop();
    await waitFor(() => endedOf(claims.sessionId), { what: 'talk.ended after the talker left' });
    expect(endedOf(claims.sessionId)!.reason).toBe('talker hung up');
  }, 60_000);

  it('frees the channel after the session timeout when the talker stops answering (process frozen)', async () => {
    const { claims, url } = issue('ch-frozen', 'RTSP');
    const talker = startGstTalker(url);
    peers.push(talker);
    await talker.log.waitFor(/^PLAYING/, 20_000, 'rtspsrc to play', talker.stderr);
    const device = await waitFor(() => devices.get(claims.sessionId), { what: 'the device leg' });
    await waitFor(() => device.heardSamples.length > 1600, { what: 'audio to flow' });
    talker.child.kill('SIGSTOP'); // the connection stays open, nothing comes any more
    await waitFor(() => endedOf(claims.sessionId), { timeoutMs: SESSION_TIMEOUT * 1000 + 15_000, what: 'the session to time out' });
    expect(endedOf(claims.sessionId)!.reason).toBe('session timeout');
    expect(device.closed).toBe('session timeout');
    // the channel is free: a new talker gets it
    const next = issue('ch-frozen', 'RTSP');
    const c = await connect();
    try {
      expect((await c.request('DESCRIBE', next.url, [REQUIRE])).status).toBe(200);
    } finally {
      c.close();
    }
  }, 60_000);
});

describe('one talker per channel, WebSocket talk', () => {
  it('talks over a WebSocket both ways (PCMU), keeps a pinged silent session alive, and ends on bye', async () => {
    const { claims, url } = issue('ch-ws', 'WEBSOCKET', 'PCMU', 8000);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/talk\/ws\?vcuid=ch-ws&token=tt1\./);
    const t = await WsTalker.connect(url);
    await waitFor(() => t.control.find((m) => m.type === 'ready'), { what: 'ready' });
    expect(t.control[0]).toMatchObject({ type: 'ready', sessionId: claims.sessionId, codec: 'PCMU', sampleRate: 8000, device: 'memory device PCMU/8000', timeoutSeconds: SESSION_TIMEOUT });
    const gen = new ToneGenerator(1000, 8000);
    for (let i = 0; i < 50; i++) {
      t.send(encodeG711('PCMU', gen.next(160)));
      await new Promise((r) => setTimeout(r, 20));
    }
    const device = devices.get(claims.sessionId)!;
    await waitFor(() => device.heardSamples.length >= 7000, { what: 'the device to hear the WebSocket talker' });
    expect(measureToneHz(device.heardSamples.subarray(800), 8000)).toBeCloseTo(1000, -1);
    await waitFor(() => t.received.length >= 40, { what: 'device audio over the WebSocket' });
    const back = g711ToSamples('PCMU', Buffer.concat(t.received.map((r) => r.payload)));
    expect(measureToneHz(back.subarray(800), 8000)).toBeCloseTo(440, -1);
    // silent but pinging: alive past the session timeout
    for (let i = 0; i < (SESSION_TIMEOUT * 1000 + 1500) / 500; i++) {
      t.ws.send(JSON.stringify({ type: 'ping' }));
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(endedOf(claims.sessionId)).toBeUndefined();
    t.ws.send(JSON.stringify({ type: 'bye' }));
    await t.closed();
    expect(t.control.at(-1)).toEqual({ type: 'ended', reason: 'talker hung up' });
    expect(t.closeCode).toBe(1000);
    await waitFor(() => endedOf(claims.sessionId), { what: 'talk.ended' });
  });

  it('refuses the upgrade with a status (used URL 403, wrong transport 403), and times out a silent WebSocket talker (4408)', async () => {
    const { url } = issue('ch-ws-2', 'WEBSOCKET', 'PCMU', 8000);
    const t = await WsTalker.connect(url);
    await expect(WsTalker.connect(url)).rejects.toMatchObject({ status: 403 });
    const rtspUrl = issue('ch-ws-3', 'RTSP').url;
    const token = new URL(rtspUrl.replace('rtsp:', 'http:')).searchParams.get('token')!;
    await expect(WsTalker.connect(`ws://127.0.0.1:${server.httpPort}/talk/ws?token=${token}`)).rejects.toMatchObject({ status: 403 });
    await t.closed();
    expect(t.closeCode).toBe(4408);
    expect(t.control.at(-1)).toEqual({ type: 'ended', reason: 'session timeout' });
  }, 20_000);

  it('a newer session takes the channel over (4409 to the old talker); an older one is refused (409); a device that hangs up ends the talk (4503)', async () => {
    const older = issue('ch-busy', 'WEBSOCKET', 'PCMU', 8000);
    const newer = issue('ch-busy', 'WEBSOCKET', 'PCMU', 8000);
    const b = await WsTalker.connect(newer.url);
    await expect(WsTalker.connect(older.url)).rejects.toMatchObject({ status: 409 });
    const newest = issue('ch-busy', 'WEBSOCKET', 'PCMU', 8000);
    const c = await WsTalker.connect(newest.url);
    await b.closed();
    expect(b.closeCode).toBe(4409);
    expect(endedOf(newer.claims.sessionId)?.reason ?? (await waitFor(() => endedOf(newer.claims.sessionId))).reason).toBe('taken over');
    devices.get(newest.claims.sessionId)!.hangUp();
    await c.closed();
    expect(c.closeCode).toBe(4503);
    await waitFor(() => endedOf(newest.claims.sessionId), { what: 'talk.ended' });
    expect(endedOf(newest.claims.sessionId)!.reason).toBe('device: hung up');
  });

  it('ends a session revoked by the control plane (talk.revoked) and refuses its URL from then on', async () => {
    const { claims, url } = issue('ch-revoke', 'WEBSOCKET', 'PCMU', 8000);
    const t = await WsTalker.connect(url);
    await runtime.bus.publish(TALK_SUBJECTS.revoked, { sessionId: claims.sessionId, tenantId: 't1', channelId: 'ch-revoke', reason: 'stopped' });
    await t.closed();
    expect(t.closeCode).toBe(4401);
    await waitFor(() => endedOf(claims.sessionId), { what: 'talk.ended' });
    expect(endedOf(claims.sessionId)!.reason).toBe('stopped');
    const metrics = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/argus_talk_sessions_ended_total\{transport="WEBSOCKET",started="yes"\} [1-9]/);
    expect(metrics).toMatch(/argus_talk_sessions_ended_total\{transport="RTSP",started="no"\} [1-9]/);
  });
});
