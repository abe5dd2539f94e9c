import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { nalsOfAvcBody } from './media-mark.js';
import {
  RtmpChunkWriter, RtmpClientHandshake, RtmpMessageType, UserControlEvent,
  acknowledgementMessage, commandMessage, decodeAmf0All, userControlMessage,
  type Amf0Value,
} from '@argus/protocols';

/** What every bench viewer (RTMP or HTTP-FLV) exposes to the benchmark. */
export interface Viewer {
  /** Bytes received so far (all of them, framing included). */
  bytes: number;
  /** Complete video messages / tags received. */
  videoFrames: number;
  /** ms from the start of connect to the first complete video keyframe (not a sequence header); NaN until then. */
  firstKeyframeMs: number;
  /** Play accepted (RTMP NetStream.Play.Start, HTTP 200). */
  playing: boolean;
  closed: boolean;
  error: string | null;
  /** Resolves once playing, rejects on refusal/close first. */
  started: Promise<void>;
  /** Resolves at the first keyframe (never rejects; check firstKeyframeMs). */
  keyframe: Promise<void>;
  close(): void;
}

/** True for an FLV/RTMP video body that is a coded keyframe (H.264/H.265 NALUs, not a sequence header). */
export function isKeyframeBody(b0: number, b1: number): boolean {
  if (b0 & 0x80) return (b0 >> 4 & 0x07) === 1 && (b0 & 0x0f) !== 0 && (b0 & 0x0f) !== 4; // enhanced RTMP: CodedFrames(X)
  return b0 >> 4 === 1 && b1 === 1;
}

interface ChunkStreamState {
  typeId: number;
  streamId: number;
  length: number;
  tsField: number;
  extended: boolean;
  received: number;
  /** Payload parts, kept only for small non-media messages (commands, control). */
  parts: Buffer[] | null;
  head0: number;
  head1: number;
}

/**
 * Cheap RTMP chunk stream scanner for a viewer: parses chunk headers, counts audio/video
 * messages and skips their payloads without copying; only control and command messages are
 * assembled (they are small). Header bytes that straddle reads are kept in a tiny buffer.
 */
export class RtmpChunkScanner {
  chunkSize = 128;
  ackWindow = 0;
  bytes = 0;
  private streams = new Map<number, ChunkStreamState>();
  private hdr: Buffer | null = null;
  private cur: ChunkStreamState | null = null;
  private chunkLeft = 0;

  constructor(
    private readonly onMessage: (typeId: number, streamId: number, payload: Buffer | null, head0: number, head1: number) => void,
    /** Assemble audio/video payloads too (probes that look inside frames). */
    private readonly keepMedia = false,
  ) {}

  push(data: Buffer): void {
    this.bytes += data.length;
    let buf = data;
    let off = 0;
    if (this.hdr) {
      buf = Buffer.concat([this.hdr, data]);
      this.hdr = null;
    }
    while (off < buf.length) {
      const cur = this.cur;
      if (cur) {
        const take = Math.min(this.chunkLeft, buf.length - off);
        if (cur.parts) cur.parts.push(Buffer.from(buf.subarray(off, off + take)));
        for (let i = 0; i < take && cur.received + i < 2; i++) {
          if (cur.received + i === 0) cur.head0 = buf[off + i]!;
          else cur.head1 = buf[off + i]!;
        }
        cur.received += take;
        this.chunkLeft -= take;
        off += take;
        if (this.chunkLeft === 0) {
          this.cur = null;
          if (cur.received >= cur.length) this.finish(cur);
        }
        continue;
      }
      const used = this.header(buf, off);
      if (used === 0) {
        this.hdr = Buffer.from(buf.subarray(off));
        return;
      }
      off += used;
    }
  }

  /** Parses one chunk header at `off`; returns its size, 0 when incomplete. */
  private header(buf: Buffer, off: number): number {
    const start = off;
    const b0 = buf[off++]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    if (csid === 0) {
      if (off + 1 > buf.length) return 0;
      csid = 64 + buf[off++]!;
    } else if (csid === 1) {
      if (off + 2 > buf.length) return 0;
      csid = 64 + buf[off]! + buf[off + 1]! * 256;
      off += 2;
    }
    const size = [11, 7, 3, 0][fmt]!;
    if (off + size > buf.length) return 0;
    let cs = this.streams.get(csid);
    if (!cs) {
      if (fmt !== 0) throw new Error(`chunk stream ${csid} starts with format ${fmt}`);
      cs = { typeId: 0, streamId: 0, length: 0, tsField: 0, extended: false, received: 0, parts: null, head0: 0, head1: 0 };
      this.streams.set(csid, cs);
    }
    const continuing = fmt === 3 && cs.received > 0 && cs.received < cs.length;
    let tsField = cs.tsField;
    let extended = cs.extended;
    if (fmt <= 2) {
      tsField = buf.readUIntBE(off, 3);
      extended = tsField === 0xffffff;
    }
    if (fmt <= 1) {
      cs.length = buf.readUIntBE(off + 3, 3);
      cs.typeId = buf[off + 6]!;
    }
    if (fmt === 0) cs.streamId = buf.readUInt32LE(off + 7);
    off += size;
    if (extended) {
      if (off + 4 > buf.length) return 0;
      off += 4;
    }
    cs.tsField = tsField;
    cs.extended = extended;
    if (!continuing) {
      cs.received = 0;
      const media = cs.typeId === RtmpMessageType.AUDIO || cs.typeId === RtmpMessageType.VIDEO;
      cs.parts = media && !this.keepMedia ? null : [];
      if (!media && cs.length > 1 << 20) throw new Error(`control/command message of ${cs.length} bytes`);
    }
    this.chunkLeft = Math.min(this.chunkSize, cs.length - cs.received);
    if (this.chunkLeft === 0) this.finish(cs);
    else this.cur = cs;
    return off - start;
  }

  private finish(cs: ChunkStreamState) {
    const payload = cs.parts ? Buffer.concat(cs.parts) : null;
    cs.parts = null;
    if (payload && cs.typeId === RtmpMessageType.SET_CHUNK_SIZE && payload.length >= 4) this.chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
    if (payload && cs.typeId === RtmpMessageType.WINDOW_ACK_SIZE && payload.length >= 4) this.ackWindow = payload.readUInt32BE(0);
    this.onMessage(cs.typeId, cs.streamId, payload, cs.head0, cs.head1);
  }
}

export interface RtmpPlayTarget {
  host: string;
  port: number;
  /** NetConnection app, e.g. "live". */
  app: string;
  /** play() stream name, e.g. "bench" or "<ch>/primary?token=…". */
  name: string;
}

export interface ViewerOptions {
  /** Called with the NAL units of each complete video frame and when it arrived (performance.now()); makes the viewer assemble frames. */
  onVideoFrame?: (nals: Buffer[], at: number) => void;
}

/** A minimal RTMP player: handshake, connect, createStream, play; then counts bytes and video messages. */
export function rtmpViewer(target: RtmpPlayTarget, options: ViewerOptions = {}): Viewer {
  const t0 = performance.now();
  const socket: Socket = connect(target.port, target.host);
  socket.setNoDelay(true);
  const writer = new RtmpChunkWriter();
  const hs = new RtmpClientHandshake();
  let handshaken = false;
  let lastAck = 0;
  let resolveStarted!: () => void;
  let rejectStarted!: (e: Error) => void;
  let resolveKey!: () => void;
  const started = new Promise<void>((res, rej) => ((resolveStarted = res), (rejectStarted = rej)));
  started.catch(() => undefined);
  const keyframe = new Promise<void>((res) => (resolveKey = res));
  const send = (m: Parameters<RtmpChunkWriter['write']>[0]) => {
    if (!socket.destroyed) socket.write(writer.write(m));
  };
  const v: Viewer = {
    bytes: 0,
    videoFrames: 0,
    firstKeyframeMs: NaN,
    playing: false,
    closed: false,
    error: null,
    started,
    keyframe,
    close: () => {
      if (v.closed) return;
      v.closed = true;
      socket.destroy();
      rejectStarted(new Error(v.error ?? 'closed'));
      resolveKey();
    },
  };
  const fail = (why: string) => {
    v.error ??= why;
    v.close();
  };
  const scanner = new RtmpChunkScanner((typeId, streamId, payload, h0, h1) => {
    if (typeId === RtmpMessageType.VIDEO) {
      v.videoFrames++;
      const at = performance.now();
      if (Number.isNaN(v.firstKeyframeMs) && isKeyframeBody(h0, h1)) {
        v.firstKeyframeMs = at - t0;
        resolveKey();
      }
      if (payload) options.onVideoFrame?.(nalsOfAvcBody(payload), at);
      return;
    }
    if (typeId === RtmpMessageType.AUDIO || !payload) return;
    if (typeId === RtmpMessageType.USER_CONTROL && payload.length >= 6 && payload.readUInt16BE(0) === UserControlEvent.PING_REQUEST) {
      send(userControlMessage(UserControlEvent.PING_RESPONSE, payload.readUInt32BE(2)));
      return;
    }
    if (typeId !== RtmpMessageType.COMMAND_AMF0) return;
    const [name, tx, , info] = decodeAmf0All(payload) as [string, number, Amf0Value, Amf0Value];
    if (name === '_result' && tx === 1) {
      send(commandMessage('createStream', 2, null));
    } else if (name === '_result' && tx === 2) {
      const sid = (decodeAmf0All(payload)[3] as number) ?? 1;
      send(userControlMessage(UserControlEvent.SET_BUFFER_LENGTH, sid, 1000));
      send({ ...commandMessage('play', 0, null, [target.name, -1000], sid), csid: 8 });
    } else if (name === '_error') {
      fail(`RTMP _error for transaction ${tx}`);
    } else if (name === 'onStatus') {
      const code = typeof info === 'object' && info && 'code' in info ? String((info as { code: unknown }).code) : '';
      if (code === 'NetStream.Play.Start') {
        v.playing = true;
        resolveStarted();
      } else if (/Failed|NotFound|Rejected|Unpublish/.test(code)) fail(`RTMP ${code}`);
    }
    void streamId;
  }, !!options.onVideoFrame);
  socket.on('connect', () => socket.write(hs.start()));
  socket.on('data', (data: Buffer) => {
    v.bytes += data.length;
    try {
      let bytes = data;
      if (!handshaken) {
        const step = hs.push(data);
        if (step.reply) socket.write(step.reply);
        if (!step.done) return;
        handshaken = true;
        const tcUrl = `rtmp://${target.host}:${target.port}/${target.app}`;
        send(commandMessage('connect', 1, {
          app: target.app, flashVer: 'LNX 9,0,124,2', tcUrl, fpad: false, capabilities: 15,
          audioCodecs: 0x0fff, videoCodecs: 0x00ff, videoFunction: 1, objectEncoding: 0,
        }));
        bytes = step.rest;
        if (bytes.length === 0) return;
      }
      scanner.push(bytes);
      if (scanner.ackWindow > 0 && scanner.bytes - lastAck >= scanner.ackWindow) {
        lastAck = scanner.bytes;
        send(acknowledgementMessage(scanner.bytes >>> 0));
      }
    } catch (err) {
      fail(`RTMP parse: ${(err as Error).message}`);
    }
  });
  socket.on('error', (err) => fail(err.message));
  socket.on('close', () => fail('server closed the connection'));
  return v;
}
