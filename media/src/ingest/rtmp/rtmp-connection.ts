import type { Socket } from 'node:net';
import {
  RtmpChunkReader, RtmpChunkWriter, RtmpServerHandshake, RtmpMessageType, UserControlEvent,
  acknowledgementMessage, commandMessage, onStatusMessage, parseCommand, parseUserControl, setPeerBandwidthMessage,
  splitAggregate, userControlMessage, windowAckSizeMessage,
  type Amf0Value, type RtmpCommand, type RtmpMessage,
} from '@argus/protocols';
import type { Logger } from '@argus/platform';
import { StreamBusyError } from '../../hub/index.js';
import type { MediaContext } from '../../media-server.js';
import { RtmpPlayer, type RtmpPlaySink } from '../../egress/rtmp/rtmp-player.js';
import { resolveRtmpTarget } from './rtmp-stream-name.js';
import { RtmpPublisher } from './rtmp-publisher.js';

const WINDOW_ACK_SIZE = 5_000_000;
const OUT_CHUNK_SIZE = 4096;
/** Largest message a client may send (a keyframe of a high-bitrate 4K stream fits easily). */
const MAX_MESSAGE_SIZE = 8 << 20;
/** Until a session publishes or plays, and while it publishes: close after this long without bytes. */
const IDLE_MS = { setup: 10_000, publishing: 30_000 };

/**
 * One RTMP client connection: handshake, chunk streams, NetConnection/NetStream commands.
 * Publishing feeds the hub through RtmpPublisher; playing reads it through RtmpPlayer.
 * Any protocol error closes this connection only.
 */
export class RtmpConnection implements RtmpPlaySink {
  private readonly handshake = new RtmpServerHandshake();
  private handshaken = false;
  private readonly reader = new RtmpChunkReader({ maxMessageSize: MAX_MESSAGE_SIZE, maxPendingBytes: 2 * MAX_MESSAGE_SIZE });
  private readonly writer = new RtmpChunkWriter();
  private app = '';
  private tcUrl: string | undefined;
  private nextStreamId = 1;
  private publisher: RtmpPublisher | null = null;
  private players = new Map<number, RtmpPlayer>();
  closed = false;
  readonly remote: string;

  constructor(readonly socket: Socket, private readonly ctx: MediaContext, private readonly log: Logger) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_MS.setup);
    socket.on('timeout', () => this.fail(new Error('idle timeout')));
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('end', () => this.close());
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.close());
  }

  send(msg: RtmpMessage): void {
    if (!this.closed) this.socket.write(this.writer.write(msg));
  }

  get chunkSize(): number {
    return this.writer.chunkSize;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.publisher?.close('publisher left');
    this.publisher = null;
    for (const p of this.players.values()) p.stop();
    this.players.clear();
    this.socket.destroySoon(); // flushes what is queued (e.g. a refusal), then closes
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.log.debug({ err, remote: this.remote }, 'RTMP session closed on error');
    this.close();
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    try {
      let bytes = data;
      if (!this.handshaken) {
        const step = this.handshake.push(data);
        if (step.reply) this.socket.write(step.reply);
        if (!step.done) return;
        this.handshaken = true;
        bytes = step.rest;
      }
      for (const msg of this.reader.push(bytes)) {
        if (this.closed) return;
        this.onMessage(msg);
      }
      const ack = this.reader.ackDue();
      if (ack !== null) this.send(acknowledgementMessage(ack));
    } catch (err) {
      this.fail(err);
    }
  }

  private onMessage(msg: RtmpMessage): void {
    switch (msg.typeId) {
      case RtmpMessageType.AUDIO:
      case RtmpMessageType.VIDEO:
      case RtmpMessageType.DATA_AMF0:
      case RtmpMessageType.DATA_AMF3:
        if (this.publisher && msg.streamId === this.publisher.streamId) this.publisher.onMessage(msg);
        return;
      case RtmpMessageType.AGGREGATE:
        for (const m of splitAggregate(msg)) this.onMessage(m);
        return;
      case RtmpMessageType.USER_CONTROL: {
        const uc = parseUserControl(msg.payload);
        if (uc.event === UserControlEvent.PING_REQUEST) this.send(userControlMessage(UserControlEvent.PING_RESPONSE, uc.value));
        return;
      }
      case RtmpMessageType.COMMAND_AMF0:
      case RtmpMessageType.COMMAND_AMF3:
        return this.onCommand(parseCommand(msg), msg.streamId);
    }
  }

  private onCommand(cmd: RtmpCommand, streamId: number): void {
    const [arg0] = cmd.args;
    switch (cmd.name) {
      case 'connect':
        return this.onConnect(cmd);
      case 'createStream':
        return this.send(commandMessage('_result', cmd.transactionId, null, [this.nextStreamId++]));
      case 'releaseStream':
      case 'FCPublish':
        return this.send(commandMessage('_result', cmd.transactionId, null, [undefined]));
      case 'getStreamLength':
        return this.send(commandMessage('_result', cmd.transactionId, null, [0]));
      case 'publish':
        return this.onPublish(typeof arg0 === 'string' ? arg0 : '', streamId);
      case 'play':
        return this.onPlay(typeof arg0 === 'string' ? arg0 : '', streamId);
      case 'deleteStream':
        return this.endStream(typeof arg0 === 'number' ? arg0 : streamId);
      case 'closeStream':
        return this.endStream(streamId);
      case 'FCUnpublish':
        if (this.publisher) this.endStream(this.publisher.streamId);
        return;
    }
  }

  private onConnect(cmd: RtmpCommand) {
    const props = isObject(cmd.commandObject) ? cmd.commandObject : {};
    this.app = typeof props.app === 'string' ? props.app : '';
    this.tcUrl = typeof props.tcUrl === 'string' ? props.tcUrl : undefined;
    this.send(windowAckSizeMessage(WINDOW_ACK_SIZE));
    this.send(setPeerBandwidthMessage(WINDOW_ACK_SIZE, 2));
    this.socket.write(this.writer.setChunkSize(OUT_CHUNK_SIZE));
    const serverProps: { [key: string]: Amf0Value } = { fmsVer: 'FMS/3,0,1,123', capabilities: 31 };
    // Enhanced RTMP: tell clients that announce FourCCs which ones we take
    if (Array.isArray(props.fourCcList)) serverProps.fourCcList = ['avc1', 'hvc1'];
    this.send(commandMessage('_result', cmd.transactionId, serverProps, [
      { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 },
    ]));
  }

  private onPublish(name: string, streamId: number) {
    const refuse = (code: string, description: string) => {
      this.log.info({ remote: this.remote, app: this.app, name: name.replace(/\?.*/, ''), code }, 'RTMP publish refused');
      this.send(onStatusMessage(streamId, 'error', code, description));
      this.close();
    };
    if (this.publisher) return refuse('NetStream.Publish.BadName', 'this connection already publishes');
    const target = resolveRtmpTarget(this.app, this.tcUrl, name);
    if (!target) return refuse('NetStream.Publish.BadName', 'publish to rtmp://host/live/<channelId>/<primary|sub>?key=…');
    const { live, query } = target;
    if (!this.ctx.mayPublish(live.path, query.get('key'))) return refuse('NetStream.Publish.BadName', `publish key is not valid for ${live.path}`);
    try {
      const stream = this.ctx.hub.publish(live.path, { protocol: 'RTMP', remote: this.remote });
      this.publisher = new RtmpPublisher(stream, streamId);
    } catch (err) {
      if (err instanceof StreamBusyError) return refuse('NetStream.Publish.BadName', `${live.path} is already being published`);
      throw err;
    }
    this.socket.setTimeout(IDLE_MS.publishing);
    this.send(userControlMessage(UserControlEvent.STREAM_BEGIN, streamId));
    this.send(onStatusMessage(streamId, 'status', 'NetStream.Publish.Start', `${live.path} is now published.`));
    this.log.info({ path: live.path, remote: this.remote }, 'RTMP publish started');
  }

  private onPlay(name: string, streamId: number) {
    const target = resolveRtmpTarget(this.app, this.tcUrl, name);
    if (!target) {
      this.send(onStatusMessage(streamId, 'error', 'NetStream.Play.StreamNotFound', 'play rtmp://host/live/<channelId>/<primary|sub>?token=…'));
      return this.close();
    }
    this.players.get(streamId)?.stop();
    const player = new RtmpPlayer(this, this.ctx, streamId);
    this.players.set(streamId, player);
    this.socket.setTimeout(0); // a viewer may stay silent for as long as it watches
    void player.run(target.live, target.query.get('token')).finally(() => {
      if (this.players.get(streamId) === player) this.players.delete(streamId);
    });
  }

  private endStream(streamId: number) {
    if (this.publisher?.streamId === streamId) {
      this.publisher.close('publisher left');
      this.publisher = null;
      this.socket.setTimeout(IDLE_MS.setup);
    }
    this.players.get(streamId)?.stop();
    this.players.delete(streamId);
  }
}

function isObject(v: Amf0Value): v is { [key: string]: Amf0Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
