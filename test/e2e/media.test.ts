import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import {
  CreateDeviceDocument, ChannelPublishUrlDocument, ChannelLiveDocument, StreamsDocument, RevokePlayUrlDocument, MediaNodesDocument,
} from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';
import {
  spawnFfmpeg, killAllFfmpeg, testSourceArgs, h264AacArgs, ffprobe, videoStream, audioStream, framesOf, isIncreasing, waitFor,
} from '../../media/test/support/ffmpeg.js';

/**
 * The media path through the public API: a tenant gets a publish URL for its channel, an
 * encoder (ffmpeg) pushes to it, and players open the play URLs Argus hands out.
 */
describe.each(MODES)('media through the API (%s)', (mode) => {
  let f: Fixture;
  let t: TenantFixture;
  let channelId: string;
  beforeAll(async () => {
    f = await startFixture(mode, { MEDIA_IDLE_SECONDS: '3' });
    t = await f.tenant('media');
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'encoder', protocol: 'RTMP', deviceCode: 'ENC1', channelCount: 1 },
    });
    channelId = createDevice.channels[0]!.id;
    const { channel } = await t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' });
    spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', channel!.publishUrl], { timeoutMs: 120_000 });
    // the stream is live once a media node reports it
    await waitFor(async () => (await t.client.request(StreamsDocument)).streams.some((s) => s.channelId === channelId), {
      timeoutMs: 30_000,
      what: 'stream to be reported live',
    });
  });
  afterAll(async () => {
    await killAllFfmpeg();
    await f?.close();
  });
  afterEach(() => undefined);

  const live = async (protocol: 'FLV' | 'HLS' | 'RTMP' | 'LL_HLS' | 'RTSP', useTimes = 0) =>
    (await t.client.request(ChannelLiveDocument, { channelId, protocol, useTimes })).channel!.live;

  it('plays the published stream over HTTP-FLV, RTMP and HLS with the right codecs and rising timestamps', async () => {
    for (const protocol of ['FLV', 'RTMP', 'HLS'] as const) {
      const { url } = await live(protocol);
      expect(url).toContain(`/live/${channelId}/primary`);
      const probe = await ffprobe(url, { readSeconds: 2, timeoutMs: 30_000 });
      const v = videoStream(probe);
      expect(v, `${protocol}: ${probe.stderr}`).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      expect(audioStream(probe)?.codec_name).toBe('aac');
      const video = framesOf(probe, 'video');
      expect(video.length).toBeGreaterThan(10);
      expect(isIncreasing(video.map((fr) => fr.pkt_dts_time ?? fr.best_effort_timestamp_time))).toBe(true);
    }
  });

  it('reports the stream with its readers, and the admin sees the media node', async () => {
    const { url } = await live('FLV');
    const player = spawnFfmpeg(['-i', url, '-f', 'null', '-'], { timeoutMs: 60_000 });
    const s = await waitFor(
      async () => (await t.client.request(StreamsDocument)).streams.find((x) => x.channelId === channelId && (x.readersByProtocol as Record<string, number>).FLV),
      { timeoutMs: 20_000, what: 'an FLV reader in streams' },
    );
    expect(s).toMatchObject({ videoCodec: 'H264', audioCodec: 'AAC', width: 640, height: 360, publisher: 'RTMP', channel: { id: channelId, name: expect.any(String) } });
    player.kill();
    const { mediaNodes } = await f.admin.request(MediaNodesDocument);
    expect(mediaNodes.length).toBeGreaterThanOrEqual(1);
    expect(mediaNodes[0]!.streams).toBeGreaterThanOrEqual(1);
    // another tenant sees nothing of it
    const other = await f.tenant('media-other');
    expect((await other.client.request(StreamsDocument)).streams).toEqual([]);
  });

  it('refuses a revoked URL and a used-up single-use URL, and a publish without the key', async () => {
    const once = await live('FLV', 1);
    const first = await fetch(once.url);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    expect((await fetch(once.url)).status).toBe(403);

    const revoked = await live('FLV');
    await t.client.request(RevokePlayUrlDocument, { grantId: revoked.grantId });
    await waitFor(async () => (await fetch(revoked.url, { method: 'GET' }).then(async (r) => (await r.body?.cancel(), r.status))) === 401, {
      timeoutMs: 10_000,
      what: 'revoked URL to be refused',
    });

    const bad = revoked.url.replace(/token=[^&]+/, 'token=pt1.forged.AAAA');
    expect((await fetch(bad)).status).toBe(401);
  });

  it('starts an RTSP camera on demand when a player asks, and stops it when nobody watches', async () => {
    // the "camera" is an RTSP source: this Argus serving the published channel over RTSP
    const source = await live('RTSP');
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'rtsp cam', protocol: 'RTSP', deviceCode: 'CAM-RTSP-1', address: source.url, channelCount: 1 },
    });
    const camChannel = createDevice.channels[0]!.id;
    const streamsOf = async () => (await t.client.request(StreamsDocument)).streams.filter((s) => s.channelId === camChannel);
    expect(await streamsOf()).toEqual([]);
    const { url } = (await t.client.request(ChannelLiveDocument, { channelId: camChannel, protocol: 'FLV' })).channel!.live;
    const probe = await ffprobe(url, { readSeconds: 2, timeoutMs: 30_000 });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    const { url: watchUrl } = (await t.client.request(ChannelLiveDocument, { channelId: camChannel, protocol: 'FLV' })).channel!.live;
    const viewer = spawnFfmpeg(['-i', watchUrl, '-f', 'null', '-'], { timeoutMs: 60_000 });
    const pulled = await waitFor(async () => (await streamsOf())[0], { timeoutMs: 15_000, what: 'the pulled stream in streams' });
    expect(pulled).toMatchObject({ publisher: 'RTSP_PULL', videoCodec: 'H264' });
    viewer.kill();
    // MEDIA_IDLE_SECONDS=3: the pull stops a few seconds after the last player left
    await waitFor(async () => (await streamsOf()).length === 0, { timeoutMs: 30_000, what: 'on-demand stream to stop when idle' });
  });

  it('answers 404 at once for a channel whose device cannot be pulled', async () => {
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'no address', protocol: 'ISAPI', deviceCode: 'CAM-NOADDR', channelCount: 1 },
    });
    const { url } = (await t.client.request(ChannelLiveDocument, { channelId: createDevice.channels[0]!.id, protocol: 'FLV' })).channel!.live;
    const started = Date.now();
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STREAM_NOT_FOUND');
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
