/**
 * A playing RTSP session: its tracks (RTP senders and where they go) and the loop that reads
 * frames from the stream and writes RTP — over the TCP connection with back-pressure (the
 * reader's bounded queue absorbs a slow client), or over UDP, send and forget.
 */
import type { Socket } from 'node:net';
import { serializeRtspInterleaved, type RtspRtpInfo } from '@argus/protocols';
import type { PlayTokenClaims } from '@argus/platform';
import type { LivePath } from '../../access/stream-path.js';
import type { AudioTrack, Stream, StreamReader, VideoTrack } from '../../hub/index.js';
import type { RtspConnection } from './connection.js';
import { udpKey, type RtspServerState, type RtspSession } from './server-state.js';
import { RtpTrackSender, type MediaClock } from './rtp-sender.js';
import type { ChosenTransport } from './transport-choice.js';

interface PlayTrack {
  uri: string;
  sender: RtpTrackSender;
  transport: ChosenTransport;
}

const noop = () => {};

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

export class PlaySession implements RtspSession {
  readonly kind = 'play';
  closed = false;
  lastActivity = Date.now();
  tracks: { video?: PlayTrack; audio?: PlayTrack } = {};
  transport: 'TCP' | 'UDP' | null = null;
  private reader: StreamReader | null = null;
  private udpKeys: string[] = [];

  constructor(
    readonly id: string,
    public conn: RtspConnection,
    readonly live: LivePath,
    readonly claims: PlayTokenClaims,
    private readonly server: RtspServerState,
  ) {}

  get path(): string {
    return this.live.path;
  }

  get usesUdp(): boolean {
    return this.transport === 'UDP';
  }

  get playing(): boolean {
    return this.reader !== null;
  }

  usedChannels(): Set<number> {
    const used = new Set<number>();
    for (const t of Object.values(this.tracks)) if (t?.transport.lower === 'TCP') t.transport.channels.forEach((c) => used.add(c));
    return used;
  }

  addTrack(kind: 'video' | 'audio', track: VideoTrack | AudioTrack, transport: ChosenTransport, uri: string): RtpTrackSender {
    const sender = new RtpTrackSender(track);
    this.tracks[kind] = { uri, sender, transport };
    this.transport = transport.lower;
    if (transport.lower === 'UDP') {
      // RTCP receiver reports from the player keep a UDP session alive
      const key = udpKey(this.conn.address, transport.clientPorts[1]);
      this.server.udpRoutes.set(key, () => (this.lastActivity = Date.now()));
      this.udpKeys.push(key);
    }
    return sender;
  }

  rtpInfo(): RtspRtpInfo[] {
    return Object.values(this.tracks).map((t) => ({ url: t!.uri, seq: t!.sender.writer.sequenceNumber, rtptime: t!.sender.base }));
  }

  start(stream: Stream): void {
    if (this.closed || this.reader || stream.closed) return;
    this.reader = stream.addReader('RTSP', this.conn.remote);
    void this.pump(this.reader);
  }

  onInterleaved(): void {
    this.lastActivity = Date.now(); // RTCP from the player
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.reader?.close();
    for (const k of this.udpKeys) this.server.udpRoutes.delete(k);
    this.server.sessions.delete(this.id);
    if (this.conn.session === this) this.conn.session = null;
    this.server.log.debug({ session: this.id, path: this.path, reason }, 'rtsp: play session closed');
  }

  private async pump(reader: StreamReader) {
    let clock: MediaClock | null = null;
    try {
      for await (const frame of reader) {
        if (this.closed) break;
        const t = this.tracks[frame.kind];
        if (!t) continue;
        clock ??= { originMs: frame.pts, originWall: Date.now() };
        const packets = t.sender.packets(frame, clock);
        const report = t.sender.reportIfDue(clock);
        if (t.transport.lower === 'TCP') {
          const [rtp, rtcp] = t.transport.channels;
          const parts = packets.map((p) => serializeRtspInterleaved(rtp, p));
          if (report) parts.push(serializeRtspInterleaved(rtcp, report));
          const socket = this.conn.socket;
          if (parts.length && !socket.write(Buffer.concat(parts))) await drained(socket);
        } else {
          const [rtpPort, rtcpPort] = t.transport.clientPorts;
          const udp = this.server.udp;
          for (const p of packets) udp.rtp.send(p, rtpPort, this.conn.address, noop);
          if (report) udp.rtcp.send(report, rtcpPort, this.conn.address, noop);
        }
      }
    } catch (err) {
      this.server.log.warn({ err, session: this.id }, 'rtsp: play loop failed');
    }
    if (!this.closed) {
      // the stream ended: tell the player by closing its connection
      this.close('stream ended');
      this.conn.close();
    }
  }
}
