/**
 * The hub without the network: batch-mode readers (one wake-up per burst, audio riding with the
 * next video frame), their bounded queues and drop-to-keyframe, shared formats encoded once per
 * frame in stream order, and the shared bytes of a run of frames.
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { BatchWriter, SharedBatch, Stream, type FrameEncoder, type MediaFrame, type SharedFormat, type StreamReader } from '../src/hub/index.js';

const tracks = {
  video: { kind: 'video' as const, codec: 'H264' as const, parameterSets: [Buffer.from([0x67, 1]), Buffer.from([0x68, 1])] },
  audio: { kind: 'audio' as const, codec: 'AAC' as const, sampleRate: 44100, channels: 2, config: Buffer.from([0x12, 0x10]) },
};
const video = (dts: number, keyframe = false, size = 100): MediaFrame => ({ kind: 'video', dts, pts: dts, keyframe, units: [Buffer.alloc(size, keyframe ? 0x65 : 0x41)] });
const audio = (dts: number): MediaFrame => ({ kind: 'audio', dts, pts: dts, keyframe: true, units: [Buffer.alloc(10)] });
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function liveStream(): Stream {
  const s = new Stream('live/hub/primary', { protocol: 'INTERNAL' }, { maxFrames: 8, maxBytes: 1 << 20 });
  s.setTracks(tracks);
  return s;
}

/** A batch-mode reader that records what each wake-up could take. */
function batchReader(s: Stream, formats: SharedFormat<unknown, FrameEncoder<unknown>>[] = []) {
  const batches: MediaFrame[][] = [];
  let take = true;
  const reader: StreamReader = s.addReader('FLV', 'test', {
    formats,
    onFrames: (r) => {
      if (take && !r.isClosed) batches.push(r.take());
    },
  });
  return { reader, batches, pause: () => (take = false), resume: () => ((take = true), batches.push(reader.take())) };
}

describe('batch-mode readers', () => {
  it('start with the GOP cache and get one wake-up per burst of frames', async () => {
    const s = liveStream();
    s.push(video(0, true));
    s.push(audio(10));
    s.push(video(40));
    const { reader, batches } = batchReader(s);
    expect(reader.take().map((f) => f.dts)).toEqual([0, 10, 40]); // the GOP, taken by the egress at start
    s.push(video(80));
    s.push(video(120)); // delivered in the same turn as the one before
    expect(batches).toEqual([]);
    await tick();
    expect(batches.map((b) => b.map((f) => f.dts))).toEqual([[80, 120]]);
    expect(reader.framesOut).toBe(5);
  });

  it('hold audio until the next video frame, or a short while without one', async () => {
    const s = liveStream();
    s.push(video(0, true));
    const { reader, batches } = batchReader(s);
    reader.take();
    s.push(audio(5));
    await tick();
    expect(batches).toEqual([]);
    s.push(video(40));
    await tick();
    expect(batches.map((b) => b.map((f) => f.kind))).toEqual([['audio', 'video']]);
    s.push(audio(46));
    await sleep(200); // no video follows: the audio leaves on its own
    expect(batches.map((b) => b.map((f) => f.dts))).toEqual([[5, 40], [46]]);
  });

  it('a reader that takes nothing overflows, drops to the next keyframe, and never delays another', async () => {
    const s = liveStream();
    s.push(video(0, true));
    const slow = batchReader(s);
    const fast = batchReader(s);
    slow.reader.take();
    fast.reader.take();
    slow.pause();
    for (let i = 1; i <= 20; i++) {
      s.push(video(i * 40, i === 15));
      await tick();
    }
    expect(fast.batches.flat().length).toBe(20);
    expect(fast.reader.dropped).toBe(0);
    expect(slow.reader.dropped).toBeGreaterThan(0);
    expect(slow.reader.overflows).toBe(1);
    slow.resume();
    // after the overflow it starts again at the keyframe (frame 15)
    expect(slow.batches.at(-1)!.map((f) => f.dts)).toEqual([600, 640, 680, 720, 760, 800]);
    expect(slow.batches.at(-1)![0]!.keyframe).toBe(true);
  });

  it('learn that the stream ended on a wake-up', () => {
    const s = liveStream();
    s.push(video(0, true));
    let closedSeen = false;
    s.addReader('RTMP', 'test', { onFrames: (r) => (closedSeen ||= r.isClosed) });
    s.close();
    expect(closedSeen).toBe(true);
  });
});

describe('shared formats', () => {
  it('encode each frame once, in stream order, from the GOP cache on, only while a reader uses them', async () => {
    const s = liveStream();
    const encoded: number[] = [];
    const FORMAT: SharedFormat<string> = {
      name: 'test',
      encoder: (): FrameEncoder<string> => ({ encode: (f) => (encoded.push(f.dts), `bytes@${f.dts}`) }),
    };
    s.push(video(-40));
    s.push(video(0, true));
    s.push(audio(20));
    expect(encoded).toEqual([]);
    const a = batchReader(s, [FORMAT]);
    const b = batchReader(s, [FORMAT]);
    expect(encoded).toEqual([0, 20]); // the GOP, once for both readers
    s.push(video(40));
    await tick();
    expect(encoded).toEqual([0, 20, 40]);
    const frames = [...a.reader.take(), ...a.batches.flat()];
    expect(frames.map((f) => s.encoded(FORMAT, f))).toEqual(['bytes@0', 'bytes@20', 'bytes@40']);
    // b never took its GOP at start: its first wake-up has the GOP and the new frame
    expect(b.batches.flat().map((f) => s.encoded(FORMAT, f))).toEqual(['bytes@0', 'bytes@20', 'bytes@40']);
    a.reader.close();
    b.reader.close();
    s.push(video(80));
    expect(encoded).toEqual([0, 20, 40]); // nobody reads the format any more
  });

  it('share the bytes of a wake-up\'s run among the readers that keep up, and only among them', async () => {
    const s = liveStream();
    s.push(video(0, true));
    const batch = new SharedBatch(s);
    let made = 0;
    const make = (run: readonly MediaFrame[]) => (made++, Buffer.from(run.map((f) => f.dts).join(',')));
    const got: Array<string | null> = [];
    const reader = (takeGop: boolean) => {
      const r = s.addReader('FLV', 'test', { onFrames: (x) => got.push(batch.get(x.take(), make)?.toString() ?? null) });
      if (takeGop) r.take();
      return r;
    };
    reader(true);
    reader(true);
    reader(false); // still holds the GOP: its run is its own
    s.push(audio(10));
    s.push(video(40));
    await tick();
    expect(got).toEqual(['10,40', '10,40', null]);
    expect(made).toBe(1);
    expect(batch.get([], make)).toBeNull();
  });
});

describe('BatchWriter', () => {
  it('writes what the reader holds, waits for drain when the socket is full, and ends when the reader closes', async () => {
    const s = liveStream();
    s.push(video(0, true, 10));
    const socket = new PassThrough({ highWaterMark: 64 });
    const written: number[] = [];
    let ended = 0;
    const writer = new BatchWriter(socket, (frames) => {
      for (const f of frames) (written.push(f.dts), socket.write(f.units[0]!));
    }, () => ended++);
    const reader = s.addReader('FLV', 'test', { onFrames: writer.wake });
    writer.start(reader);
    expect(written).toEqual([0]);
    s.push(video(40, false, 100)); // fills the 64-byte buffer
    await tick();
    expect(written).toEqual([0, 40]);
    s.push(video(80, false, 10));
    await tick();
    expect(written).toEqual([0, 40]); // waiting for drain: the frame stays queued
    expect(reader.queued).toBe(1);
    socket.read(); // the peer reads → drain
    await tick();
    expect(written).toEqual([0, 40, 80]);
    reader.close();
    expect(ended).toBe(1);
    s.push(video(120));
    await tick();
    expect(written).toEqual([0, 40, 80]);
    expect(s.readerCount).toBe(0);
  });
});
