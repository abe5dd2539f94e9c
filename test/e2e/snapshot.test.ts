import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateDeviceDocument, ChannelPublishUrlDocument, ChannelLiveDocument, StreamsDocument, TakeSnapshotDocument, ArgusClientError,
} from '@argus/client';
import { MODES, startFixture, type Fixture, type TenantFixture } from './context.js';
import { spawnFfmpeg, killAllFfmpeg, testSourceArgs, h264AacArgs, ffprobe, videoStream, waitFor } from '../../media/test/support/ffmpeg.js';

/**
 * Snapshots through the public API: a tenant asks for a JPEG of its channel's live stream and
 * fetches it from the signed URL it gets back (served by the gateway, no token needed).
 */
describe.each(MODES)('snapshots through the API (%s)', (mode) => {
  let f: Fixture;
  let t: TenantFixture;
  let channelId: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-e2e-snapshot-'));
    f = await startFixture(mode, { MEDIA_IDLE_SECONDS: '3' });
    t = await f.tenant('snapshots');
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'encoder', protocol: 'RTMP', deviceCode: 'SNAP-ENC1', channelCount: 1 },
    });
    channelId = createDevice.channels[0]!.id;
    const { channel } = await t.client.request(ChannelPublishUrlDocument, { channelId, protocol: 'RTMP' });
    spawnFfmpeg([...testSourceArgs(), ...h264AacArgs(), '-f', 'flv', channel!.publishUrl], { timeoutMs: 120_000 });
    await waitFor(async () => (await t.client.request(StreamsDocument)).streams.some((s) => s.channelId === channelId), {
      timeoutMs: 30_000,
      what: 'stream to be reported live',
    });
  });
  afterAll(async () => {
    await killAllFfmpeg();
    await f?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Fetches a snapshot URL and checks what a user would: a JPEG ffprobe reads as mjpeg 640x360. */
  async function expectJpeg(url: string, size?: number) {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await res.arrayBuffer());
    if (size !== undefined) expect(bytes.length).toBe(size);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]); // SOI
    expect([...bytes.subarray(-2)]).toEqual([0xff, 0xd9]); // EOI
    const file = join(dir, `${Math.random().toString(36).slice(2)}.jpg`);
    await writeFile(file, bytes);
    const probe = await ffprobe(file, { showFrames: false, timeoutMs: 10_000 });
    expect(videoStream(probe), probe.stderr).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
  }

  const codeOf = (err: unknown) => {
    expect(err).toBeInstanceOf(ArgusClientError);
    return (err as ArgusClientError).errors[0]?.extensions as { code?: string; reason?: string } | undefined;
  };

  it('takes a JPEG of the live stream and serves it under a signed, expiring URL', async () => {
    const before = Date.now();
    const { snapshot } = await t.client.request(TakeSnapshotDocument, { channelId });
    expect(snapshot).toMatchObject({ width: 640, height: 360 });
    expect(snapshot.size).toBeGreaterThan(1000);
    expect(new Date(snapshot.takenAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(snapshot.expiresAt).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(snapshot.url).toMatch(/\/pictures\/snapshots\/.+\.jpg\?exp=\d+&sig=/);
    await expectJpeg(snapshot.url, snapshot.size);
    // the signature is the authorisation: a changed one is refused
    expect((await fetch(snapshot.url.replace(/sig=[^&]+/, `sig=${'A'.repeat(43)}`))).status).toBe(403);
  });

  it("refuses another tenant's channel as NOT_FOUND", async () => {
    const other = await f.tenant('snapshots-other');
    const err = await other.client.request(TakeSnapshotDocument, { channelId }).catch((e: unknown) => e);
    expect(codeOf(err)?.code).toBe('NOT_FOUND');
  });

  it('starts a camera on demand for a snapshot, and answers UNAVAILABLE/STREAM_NOT_FOUND when it cannot', async () => {
    // the "camera" is an RTSP source: this Argus serving the published channel over RTSP
    const source = (await t.client.request(ChannelLiveDocument, { channelId, protocol: 'RTSP' })).channel!.live;
    const { createDevice } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'rtsp cam', protocol: 'RTSP', deviceCode: 'SNAP-CAM-1', address: source.url, channelCount: 1 },
    });
    const { snapshot } = await t.client.request(TakeSnapshotDocument, { channelId: createDevice.channels[0]!.id });
    await expectJpeg(snapshot.url, snapshot.size);

    const { createDevice: dead } = await t.client.request(CreateDeviceDocument, {
      input: { name: 'no address', protocol: 'ISAPI', deviceCode: 'SNAP-NOADDR', channelCount: 1 },
    });
    const err = await t.client.request(TakeSnapshotDocument, { channelId: dead.channels[0]!.id }).catch((e: unknown) => e);
    expect(codeOf(err)).toMatchObject({ code: 'UNAVAILABLE', reason: 'STREAM_NOT_FOUND' });
  });
});
