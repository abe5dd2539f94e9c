import {
  FlvTagType, RtmpChunkStream, RtmpMessageType, UserControlEvent, dataMessage, onStatusMessage, userControlMessage,
  type RtmpMessage,
} from '@argus/protocols';
import { PlayRefused } from '../../access/play-authorizer.js';
import type { LivePath } from '../../access/stream-path.js';
import type { StreamReader } from '../../hub/index.js';
import type { MediaContext } from '../../media-server.js';
import { flvFeed } from '../flv/flv-feed.js';

/** What a player needs from its RTMP connection. */
export interface RtmpPlaySink {
  readonly remote?: string;
  readonly closed: boolean;
  /** Control and command messages (small; not flow-controlled). */
  send(msg: RtmpMessage): void;
  /** Media messages; resolves when the socket can take more, false when it closed. */
  sendMedia(msg: RtmpMessage): Promise<boolean>;
  close(): void;
}

/**
 * One RTMP play on message stream `streamId`: checks the play token, opens the stream, then
 * sends onMetaData, the sequence headers and the frames of a hub reader.
 */
export class RtmpPlayer {
  private reader: StreamReader | null = null;
  private stopped = false;

  constructor(private readonly sink: RtmpPlaySink, private readonly ctx: MediaContext, readonly streamId: number) {}

  /** Runs until the viewer stops or the stream ends; refusals are reported to the client, never thrown. */
  async run(live: LivePath, token: string | null): Promise<void> {
    const id = this.streamId;
    try {
      await this.ctx.authorizer.authorize(token, { channelId: live.channelId, stream: live.stream, protocol: 'RTMP' });
      const stream = await this.ctx.openStream(live);
      if (this.stopped || this.sink.closed) return;
      this.reader = stream.addReader('RTMP', this.sink.remote);
      this.sink.send(userControlMessage(UserControlEvent.STREAM_BEGIN, id));
      this.sink.send(onStatusMessage(id, 'status', 'NetStream.Play.Reset', `Playing and resetting ${live.path}.`));
      this.sink.send(onStatusMessage(id, 'status', 'NetStream.Play.Start', `Started playing ${live.path}.`));
      this.sink.send(dataMessage(['|RtmpSampleAccess', true, true], id));
      for await (const tag of flvFeed(stream, this.reader)) {
        const csid = tag.type === FlvTagType.VIDEO ? RtmpChunkStream.VIDEO : tag.type === FlvTagType.AUDIO ? RtmpChunkStream.AUDIO : RtmpChunkStream.DATA;
        const typeId = tag.type === FlvTagType.SCRIPT ? RtmpMessageType.DATA_AMF0 : tag.type;
        if (!(await this.sink.sendMedia({ csid, typeId, streamId: id, timestamp: tag.timestamp, payload: tag.data }))) return;
      }
      if (!this.stopped && !this.sink.closed) {
        // the publisher left
        this.sink.send(userControlMessage(UserControlEvent.STREAM_EOF, id));
        this.sink.send(onStatusMessage(id, 'status', 'NetStream.Play.UnpublishNotify', `${live.path} is no longer published.`));
        this.sink.close();
      }
    } catch (err) {
      if (this.sink.closed) return;
      const refused = err instanceof PlayRefused ? err : new PlayRefused(503, 'UNAVAILABLE', 'media server error');
      if (!(err instanceof PlayRefused)) this.ctx.logger.warn({ err, path: live.path }, 'RTMP play failed');
      const code = refused.status === 404 ? 'NetStream.Play.StreamNotFound' : 'NetStream.Play.Failed';
      this.sink.send(onStatusMessage(id, 'error', code, `${refused.code}: ${refused.message}`));
      this.sink.close();
    } finally {
      this.reader?.close();
    }
  }

  stop(): void {
    this.stopped = true;
    this.reader?.close();
  }
}
