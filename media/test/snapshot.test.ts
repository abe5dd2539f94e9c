/**
 * Snapshots: JPEG of a live stream's newest keyframe through Debian's ffmpeg, served to Argus
 * services at POST /internal/snapshot and stored in the blob store. ffprobe checks the pictures.
 */
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  createRuntime, loadConfig, createLogger, InProcessBus, createBlobStore, INTERNAL_CONTEXT_HEADER, type BlobStore, type CallerContext,
} from '@argus/platform';
import { splitAnnexB, h265NalType } from '@argus/protocols';
import { MediaServer } from '../src/media-server.js';
import { Stream } from '../src/hub/index.js';
import { Snapshotter, isJpeg, jpegSize, keyframeAnnexB, type SnapshotAnswer } from '../src/snapshot/index.js';
import { makeTestMedia, publishTestStream, type Feed } from './support/frame-feeder.js';
import { ffprobe, videoStream, killAllFfmpeg, FFMPEG } from './support/ffmpeg.js';

let dir: string;
let server: MediaServer;
let runtime: ReturnType<typeof createRuntime>;
let store: BlobStore;
const feeds: Feed[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'argus-snapshot-'));
  runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
  server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
  await server.start([]);
  store = createBlobStore(runtime.config);
  feeds.push(publishTestStream(server.hub, 'live/cam1/primary', await makeTestMedia({ seconds: 4, noAudio: true }), { loop: true }));
  // nobody can start cam-none: the access plane answers at once
  await runtime.bus.subscribe<{ path: string; nodeId: string }>('media.stream.requested', (e) =>
    void runtime.bus.publish('media.source.unavailable', { path: e.data.path, nodeId: e.data.nodeId, reason: 'no such camera' }),
  );
});

afterEach(() => killAllFfmpeg());

afterAll(async () => {
  for (const f of feeds) f.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const as = (role: CallerContext['role']) => runtime.signer.sign({ tenantId: null, appId: null, role });
function post(path: string, headers: Record<string, string> = { [INTERNAL_CONTEXT_HEADER]: as('SERVICE') }, method = 'POST') {
  return fetch(`http://127.0.0.1:${server.httpPort}/internal/snapshot?path=${encodeURIComponent(path)}`, { method, headers });
}

async function probeJpeg(bytes: Buffer) {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.jpg`);
  await writeFile(file, bytes);
  return videoStream(await ffprobe(file, { showFrames: false, timeoutMs: 10_000 }));
}

describe('POST /internal/snapshot', () => {
  it('stores a JPEG of the newest keyframe that ffprobe reads as mjpeg 640x360', async () => {
    await server.hub.waitReady('live/cam1/primary', 5000);
    const res = await post('live/cam1/primary');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as SnapshotAnswer;
    expect(answer).toMatchObject({ contentType: 'image/jpeg', width: 640, height: 360 });
    expect(answer.key).toMatch(/^snapshots\/cam1\/primary\/\d+-[0-9a-f]{8}\.jpg$/);
    expect(Date.parse(answer.expiresAt) - Date.parse(answer.takenAt)).toBeGreaterThan(3500_000);
    const blob = (await store.get(answer.key))!;
    expect(blob.contentType).toBe('image/jpeg');
    expect(blob.size).toBe(answer.size);
    expect(isJpeg(blob.bytes)).toBe(true);
    expect(await probeJpeg(blob.bytes)).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
  });

  it('is for Argus services only, and checks its path', async () => {
    expect((await post('live/cam1/primary', {})).status).toBe(403);
    const tenant = await post('live/cam1/primary', { [INTERNAL_CONTEXT_HEADER]: as('TENANT') });
    expect(tenant.status).toBe(403);
    expect(((await tenant.json()) as { error: { code: string } }).error.code).toBe('INTERNAL_ONLY');
    expect((await post('live/cam1/primary', { [INTERNAL_CONTEXT_HEADER]: 'forged.1.x' })).status).toBe(403);
    expect((await post('live/cam1/primary/index.m3u8')).status).toBe(400);
    expect((await post('../etc/passwd')).status).toBe(400);
    expect((await post('live/cam1/primary', undefined, 'GET')).status).toBe(405);
  });

  it('answers 404 STREAM_NOT_FOUND when no source can be started', async () => {
    const started = Date.now();
    const res = await post('live/cam-none/primary');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STREAM_NOT_FOUND');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('Snapshotter', () => {
  it('shares one encode between callers of the same keyframe, and waits for a keyframe when the GOP cache has none', async () => {
    const media = await makeTestMedia({ seconds: 4, noAudio: true });
    const snap = new Snapshotter();
    const stream = new Stream('live/x/primary', { protocol: 'INTERNAL' });
    stream.setTracks(media.tracks);
    const pending = snap.take(stream); // nothing pushed yet: waits for the first keyframe
    for (const f of media.frames.slice(0, 20)) stream.push(f);
    const [a, b] = await Promise.all([pending, snap.take(stream)]);
    expect(a.jpeg).toBe(b.jpeg);
    expect(a).toMatchObject({ width: 640, height: 360 });
    // a newer keyframe makes a new picture
    for (const f of media.frames.slice(20, 30)) stream.push(f);
    expect((await snap.take(stream)).jpeg).not.toBe(a.jpeg);
    stream.close();
  });

  it('refuses a stream without video, and one whose keyframe does not decode', async () => {
    const snap = new Snapshotter({ keyframeWaitMs: 300 });
    const audioOnly = new Stream('live/a/primary', { protocol: 'INTERNAL' });
    audioOnly.setTracks({ audio: { kind: 'audio', codec: 'PCMA', sampleRate: 8000, channels: 1 } });
    await expect(snap.take(audioOnly)).rejects.toMatchObject({ code: 'CODEC_UNSUPPORTED' });
    const garbage = new Stream('live/g/primary', { protocol: 'INTERNAL' });
    garbage.setTracks({ video: { kind: 'video', codec: 'H264', parameterSets: [] } });
    garbage.push({ kind: 'video', dts: 0, pts: 0, keyframe: true, units: [Buffer.from([0x65, 1, 2, 3, 4, 5])] });
    await expect(snap.take(garbage)).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
    const silent = new Stream('live/s/primary', { protocol: 'INTERNAL' });
    silent.setTracks({ video: { kind: 'video', codec: 'H264', parameterSets: [] } });
    await expect(snap.take(silent)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('takes H.265 keyframes', async () => {
    const r = spawnSync(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '5',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-f', 'hevc', 'pipe:1',
    ], { maxBuffer: 16 << 20, timeout: 20_000 });
    expect(r.status, r.stderr?.toString()).toBe(0);
    const nals = splitAnnexB(r.stdout);
    const parameterSets = nals.filter((u) => [32, 33, 34].includes(h265NalType(u)));
    const idr = nals.filter((u) => [19, 20].includes(h265NalType(u)));
    expect(parameterSets).toHaveLength(3);
    const stream = new Stream('live/h265/primary', { protocol: 'INTERNAL' });
    stream.setTracks({ video: { kind: 'video', codec: 'H265', parameterSets } });
    stream.push({ kind: 'video', dts: 0, pts: 0, keyframe: true, units: idr });
    const shot = await new Snapshotter().take(stream);
    expect(shot).toMatchObject({ width: 320, height: 240 });
    expect(await probeJpeg(shot.jpeg)).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 240 });
  });
});

describe('jpeg and keyframe helpers', () => {
  it('reads the size from SOF and rejects cut or foreign data', () => {
    const sof = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0x68, 0x02, 0x80, 1, 1, 0x11, 0, 0xff, 0xd9]);
    expect(jpegSize(sof)).toEqual({ width: 640, height: 360 });
    expect(isJpeg(sof)).toBe(true);
    expect(jpegSize(sof.subarray(0, 12))).toBeNull();
    expect(jpegSize(Buffer.from('not a jpeg'))).toBeNull();
    expect(isJpeg(sof.subarray(0, 10))).toBe(false);
  });

  it('writes parameter sets then the keyframe units as Annex-B, without AUDs', () => {
    const sps = Buffer.from([0x67, 1]);
    const pps = Buffer.from([0x68, 2]);
    const out = keyframeAnnexB(
      { kind: 'video', codec: 'H264', parameterSets: [sps, pps] },
      { kind: 'video', dts: 0, pts: 0, keyframe: true, units: [Buffer.from([0x09, 0xf0]), Buffer.from([0x65, 3])] },
    );
    expect(out).toEqual(Buffer.from([0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x68, 2, 0, 0, 0, 1, 0x65, 3]));
  });
});
