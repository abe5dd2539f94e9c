import type { Socket } from 'node:net';
import {
  UserControlEvent, dataMessage, encodeRtmpChunks, onStatusMessage, userControlMessage, type RtmpMessage,
} from '@argus/protocols';
import { PlayRefused } from '../../access/play-authorizer.js';
import type { LivePath } from '../../access/stream-path.js';
import { BatchWriter, type StreamReader } from '../../hub/index.js';
import type { MediaContext } from '../../media-server.js';
import { FLV_FORMAT, FlvPreludes, rtmpMessageOf } from '../flv/flv-packets.js';
import { withAacAudio } from '../../transcode/index.js';

/** What a player needs from its RTMP connection. */
export interface RtmpPlaySink {
  readonly remote?: string;
  readonly closed: boolean;
  /** The connection's socket: media chunks are written to it directly, in batches. */
  readonly socket: Socket;
  /** The chunk size the connection announced to the client. */
  readonly chunkSize: number;
  /** Control and command messages (small; not flow-controlled). */
  send(msg: RtmpMessage): void;
  close(): void;
}

/**
 * One RTMP play on message stream `streamId`: checks the play token, opens the stream, then
 * sends onMetaData, the sequence headers and the stream's frames. Frames go as the stream's
 * shared chunk bytes (format 0 headers, timestamps on the stream's timeline), written in batches;
 * the audio, video and data chunk streams carry only those, so no per-player header state exists.
 */
export class RtmpPlayer {
  private reader: StreamReader | null = null;
  private stopped = false;

  constructor(private readonly sink: RtmpPlaySink, private readonly ctx: MediaContext, readonly streamId: number) {}

  /** Runs until the viewer stops or the stream ends; refusals are reported to the client, never thrown. */
  async run(live: LivePath, token: string | null): Promise<void> {
    const id = this.streamId;
    const sink = this.sink;
    try {
      await this.ctx.authorizer.authorize(token, { channelId: live.channelId, stream: live.stream, protocol: 'RTMP' });
      // Opus (from a WebRTC publisher) reaches RTMP players as AAC; other streams come as they are
      const stream = withAacAudio(this.ctx, await this.ctx.openStream(live), 'FLV');
      if (this.stopped || sink.closed) return;
      sink.send(userControlMessage(UserControlEvent.STREAM_BEGIN, id));
      sink.send(onStatusMessage(id, 'status', 'NetStream.Play.Reset', `Playing and resetting ${live.path}.`));
      sink.send(onStatusMessage(id, 'status', 'NetStream.Play.Start', `Started playing ${live.path}.`));
      const socket = sink.socket;
      const chunkSize = sink.chunkSize;
      const chunks = (m: RtmpMessage) => encodeRtmpChunks(m, chunkSize);
      socket.write(chunks(dataMessage(['|RtmpSampleAccess', true, true], id)));
      const preludes = new FlvPreludes(() => stream.tracks);
      const ended = new Promise<boolean>((resolve) => {
        const writer = new BatchWriter(
          socket,
          (frames) => {
            // a player that keeps up takes the same run of frames as the others: one shared Buffer
            const run = preludes.current(stream.tracks) ? stream.encoderOf(FLV_FORMAT).rtmpBytes(frames, id, chunkSize) : null;
            if (run) return void socket.write(run);
            socket.cork();
            try {
              for (const frame of frames) {
                const p = stream.encoded(FLV_FORMAT, frame);
                if (!p) continue;
                for (const tag of preludes.before(p)) socket.write(chunks(rtmpMessageOf(tag, id)));
                socket.write(p.rtmp(id, chunkSize));
              }
            } finally {
              socket.uncork();
            }
          },
          (err) => {
            if (err) this.ctx.logger.warn({ err, path: live.path }, 'RTMP play failed');
            resolve(stream.closed);
          },
        );
        this.reader = stream.addReader('RTMP', sink.remote, { onFrames: writer.wake, formats: [FLV_FORMAT] });
        writer.start(this.reader);
      });
      if ((await ended) && !this.stopped && !sink.closed) {
        // the publisher left
        sink.send(userControlMessage(UserControlEvent.STREAM_EOF, id));
        sink.send(onStatusMessage(id, 'status', 'NetStream.Play.UnpublishNotify', `${live.path} is no longer published.`));
        sink.close();
      }
    } catch (err) {
      if (sink.closed) return;
      const refused = err instanceof PlayRefused ? err : new PlayRefused(503, 'UNAVAILABLE', 'media server error');
      if (!(err instanceof PlayRefused)) this.ctx.logger.warn({ err, path: live.path }, 'RTMP play failed');
      const code = refused.status === 404 ? 'NetStream.Play.StreamNotFound' : 'NetStream.Play.Failed';
      sink.send(onStatusMessage(id, 'error', code, `${refused.code}: ${refused.message}`));
      sink.close();
    } finally {
      this.reader?.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.reader?.close();
  }
}
