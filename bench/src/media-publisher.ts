/**
 * The benchmark's publisher: an RTMP client that publishes a pre-encoded FLV file in a loop at
 * its own pace to one or more servers at once, with a send-time mark (media-mark.ts) put into
 * every video frame just before it is written, so viewers can measure the relay delay.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  FlvDemuxer, FlvTagType, RtmpChunkReader, RtmpChunkWriter, RtmpClientHandshake, RtmpMessageType, UserControlEvent,
  acknowledgementMessage, commandMessage, parseCommand, parseUserControl, userControlMessage,
  type Amf0Value, type FlvTag, type RtmpMessage,
} from '@argus/protocols';
import { nowUs, withMark } from './media-mark.js';

export interface RtmpTarget {
  host: string;
  port: number;
  /** NetConnection app, e.g. "live". */
  app: string;
  /** Stream name, e.g. "bench" or "<ch>/primary?key=…". */
  name: string;
}

export interface FlvSource {
  sequenceHeaders: FlvTag[];
  /** Audio and video frames in file order, timestamps from the file. */
  frames: FlvTag[];
  /** Length of one pass (ms). */
  durationMs: number;
}

export function loadFlvSource(file: string): FlvSource {
  const { tags } = (() => {
    const d = new FlvDemuxer();
    return { tags: d.push(readFileSync(file)) };
  })();
  const media = tags.filter((t) => t.type === FlvTagType.VIDEO || t.type === FlvTagType.AUDIO);
  const isHeader = (t: FlvTag) => t.data.length > 1 && t.data[1] === 0;
  const frames = media.filter((t) => !isHeader(t));
  const video = frames.filter((t) => t.type === FlvTagType.VIDEO);
  const step = video.length > 1 ? (video[video.length - 1]!.timestamp - video[0]!.timestamp) / (video.length - 1) : 40;
  const first = frames[0]?.timestamp ?? 0;
  for (const f of frames) f.timestamp -= first;
  return {
    sequenceHeaders: media.filter(isHeader).map((t) => ({ ...t, timestamp: 0 })),
    frames,
    durationMs: Math.round(Math.max(...frames.map((f) => f.timestamp)) + step),
  };
}

const CHUNK_SIZE = 4096;

/** One RTMP publishing connection. */
export class RtmpPublishClient {
  readonly ready: Promise<void>;
  private readonly socket: Socket;
  private readonly writer = new RtmpChunkWriter();
  private readonly reader = new RtmpChunkReader();
  private readonly hs = new RtmpClientHandshake();
  private handshaken = false;
  private streamId = 0;
  closed = false;
  error: string | null = null;

  constructor(private readonly target: RtmpTarget) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.ready.catch(() => undefined);
    const fail = (why: string) => {
      this.error ??= why;
      reject(new Error(`${target.host}:${target.port}/${target.app}: ${why}`));
      this.close();
    };
    const socket = (this.socket = connect(target.port, target.host));
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(this.hs.start()));
    socket.on('error', (err) => fail(err.message));
    socket.on('close', () => fail('connection closed'));
    socket.on('data', (data: Buffer) => {
      try {
        let bytes = data;
        if (!this.handshaken) {
          const step = this.hs.push(data);
          if (step.reply) socket.write(step.reply);
          if (!step.done) return;
          this.handshaken = true;
          socket.write(this.writer.setChunkSize(CHUNK_SIZE));
          this.send(commandMessage('connect', 1, {
            app: target.app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; argus-bench)', tcUrl: `rtmp://${target.host}:${target.port}/${target.app}`,
          }));
          bytes = step.rest;
        }
        for (const msg of this.reader.push(bytes)) this.onMessage(msg, resolve, fail);
        const ack = this.reader.ackDue();
        if (ack !== null) this.send(acknowledgementMessage(ack));
      } catch (err) {
        fail(`RTMP: ${(err as Error).message}`);
      }
    });
  }

  private onMessage(msg: RtmpMessage, resolve: () => void, fail: (why: string) => void) {
    if (msg.typeId === RtmpMessageType.USER_CONTROL) {
      const uc = parseUserControl(msg.payload);
      if (uc.event === UserControlEvent.PING_REQUEST) this.send(userControlMessage(UserControlEvent.PING_RESPONSE, uc.value));
      return;
    }
    if (msg.typeId !== RtmpMessageType.COMMAND_AMF0) return;
    const cmd = parseCommand(msg);
    if (cmd.name === '_result' && cmd.transactionId === 1) {
      this.send(commandMessage('releaseStream', 2, null, [this.target.name]));
      this.send(commandMessage('FCPublish', 3, null, [this.target.name]));
      this.send(commandMessage('createStream', 4, null));
    } else if (cmd.name === '_result' && cmd.transactionId === 4) {
      this.streamId = typeof cmd.args[0] === 'number' ? cmd.args[0] : 1;
      this.send({ ...commandMessage('publish', 5, null, [this.target.name, 'live'], this.streamId), csid: 8 });
    } else if (cmd.name === 'onStatus') {
      const info = cmd.args[0] as { [k: string]: Amf0Value } | undefined;
      const code = String(info?.code ?? '');
      if (code === 'NetStream.Publish.Start') resolve();
      else if (/BadName|Failed|Rejected/.test(code)) fail(`publish refused: ${code}`);
    } else if (cmd.name === '_error') {
      fail(`_error for transaction ${cmd.transactionId}`);
    }
  }

  private send(msg: RtmpMessage) {
    if (!this.closed) this.socket.write(this.writer.write(msg));
  }

  /** An audio or video message on the published stream. */
  media(type: number, timestamp: number, payload: Buffer): void {
    this.send({ csid: type === FlvTagType.VIDEO ? 6 : 4, typeId: type, streamId: this.streamId, timestamp, payload });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }
}

/**
 * Publishes `source` to every target in step: sequence headers, then the frames at their own
 * pace, looped with timestamps that keep rising. Video frames get a mark of the moment they are
 * written. Returns a stop function.
 */
export async function publishMarked(source: FlvSource, targets: RtmpTarget[]): Promise<{ clients: RtmpPublishClient[]; stop(): void }> {
  const clients = targets.map((t) => new RtmpPublishClient(t));
  await Promise.all(clients.map((c) => c.ready));
  for (const c of clients) for (const h of source.sequenceHeaders) c.media(h.type, 0, h.data);
  const t0 = performance.now();
  let i = 0;
  let loop = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    for (;;) {
      const f = source.frames[i]!;
      const ts = loop * source.durationMs + f.timestamp;
      const wait = t0 + ts - performance.now();
      if (wait > 0.5) {
        timer = setTimeout(tick, wait);
        return;
      }
      const payload = f.type === FlvTagType.VIDEO ? withMark(f.data, nowUs()) : f.data;
      for (const c of clients) c.media(f.type, ts, payload);
      if (++i === source.frames.length) {
        i = 0;
        loop++;
      }
    }
  };
  tick();
  return {
    clients,
    stop: () => {
      if (timer) clearTimeout(timer);
      for (const c of clients) c.close();
    },
  };
}
