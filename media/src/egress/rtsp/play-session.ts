/**
 * A playing RTSP session: its tracks (where their RTP goes) and a batch-mode reader of the
 * stream whose frames go out as the stream's shared RTP packets (rtp-sender.ts) — over the TCP
 * connection in batches with back-pressure (the reader's bounded queue absorbs a slow client),
 * or over UDP, send and forget — with this session's own RTCP sender reports.
 */
import { serializeRtspInterleaved, type RtspRtpInfo } from '@argus/protocols';
import type { PlayTokenClaims } from '@argus/platform';
import type { LivePath } from '../../access/stream-path.js';
import { BatchWriter, type AudioTrack, type MediaFrame, type Stream, type StreamReader, type VideoTrack } from '../../hub/index.js';
import type { RtspConnection } from './connection.js';
import { udpKey, type RtspServerState, type RtspSession } from './server-state.js';
import { RTP_FORMAT, type RtpChannels, type RtpEncoder, type RtpTrackSender } from './rtp-sender.js';
import type { ChosenTransport } from './transport-choice.js';

interface PlayTrack {
  uri: string;
  sender: RtpTrackSender;
  transport: ChosenTransport;
  /** What this session sent, for its sender reports. */
  packets: number;
  octets: number;
  lastReport: number;
}

const noop = () => {};
const REPORT_EVERY_MS = 5000;

export class PlaySession implements RtspSession {
  readonly kind = 'play';
  closed = false;
  lastActivity = Date.now();
  tracks: { video?: PlayTrack; audio?: PlayTrack } = {};
  transport: 'TCP' | 'UDP' | null = null;
  private reader: StreamReader | null = null;
  private stream: Stream | null = null;
  private encoder: RtpEncoder | null = null;
  private releaseFormat: (() => void) | null = null;
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

  /** Sets up a track of `stream`: from here on the stream makes its RTP (the SSRC is in the SETUP answer). */
  addTrack(stream: Stream, kind: 'video' | 'audio', track: VideoTrack | AudioTrack, transport: ChosenTransport, uri: string): RtpTrackSender {
    if (this.stream !== stream) {
      this.releaseFormat?.();
      this.stream = stream;
      this.releaseFormat = stream.useFormat(RTP_FORMAT);
      this.encoder = stream.encoderOf(RTP_FORMAT);
    }
    const sender = this.encoder!.sender(kind, track);
    this.tracks[kind] = { uri, sender, transport, packets: 0, octets: 0, lastReport: 0 };
    this.transport = transport.lower;
    if (transport.lower === 'UDP') {
      // RTCP receiver reports from the player keep a UDP session alive
      const key = udpKey(this.conn.address, transport.clientPorts[1]);
      this.server.udpRoutes.set(key, () => (this.lastActivity = Date.now()));
      this.udpKeys.push(key);
    }
    return sender;
  }

  /**
   * Joins the stream (at its GOP cache) and tells where each track starts: the sequence number
   * of its first packet and the RTP time of the first frame. Media flows once start() is called.
   */
  prepare(stream: Stream): RtspRtpInfo[] {
    if (this.closed || this.reader || stream.closed || stream !== this.stream || !this.encoder) return [];
    const encoder = this.encoder;
    this.reader = stream.addReader('RTSP', this.conn.remote, { onFrames: this.wake, formats: [RTP_FORMAT] });
    const queued = this.reader.peek();
    const startMs = queued[0]?.pts ?? null;
    const infos: RtspRtpInfo[] = [];
    for (const kind of ['video', 'audio'] as const) {
      const t = this.tracks[kind];
      if (!t) continue;
      const first = queued.find((f) => f.kind === kind);
      const packets = first ? stream.encoded(RTP_FORMAT, first) : null;
      const seq = packets ? packets.firstSeq : t.sender.writer.sequenceNumber;
      const rtptime = t.sender.rtpTime(startMs ?? encoder.clock.originMs + (Date.now() - encoder.clock.originWall), encoder.clock);
      infos.push({ url: t.uri, seq, rtptime });
    }
    return infos;
  }

  /** Starts sending what the reader holds and whatever follows. */
  start(): void {
    const reader = this.reader;
    if (this.closed || !reader) return;
    if (this.transport === 'TCP') {
      const socket = this.conn.socket;
      const channels: RtpChannels = [this.rtpChannel('video'), this.rtpChannel('audio')];
      const writer = new BatchWriter(socket, (frames) => this.sendTcp(frames, channels), (err) => this.ended(err));
      this.wakeTarget = writer.wake;
      writer.start(reader);
    } else {
      this.wakeTarget = () => this.sendUdp();
      this.sendUdp();
    }
  }

  onInterleaved(): void {
    this.lastActivity = Date.now(); // RTCP from the player
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.reader?.close();
    this.releaseFormat?.();
    this.releaseFormat = null;
    for (const k of this.udpKeys) this.server.udpRoutes.delete(k);
    this.server.sessions.delete(this.id);
    if (this.conn.session === this) this.conn.session = null;
    this.server.log.debug({ session: this.id, path: this.path, reason }, 'rtsp: play session closed');
  }

  /** The reader's wake-up, before start(): frames wait in its queue. */
  private wakeTarget: (() => void) | null = null;
  private readonly wake = () => {
    if (this.reader?.isClosed && !this.wakeTarget) return this.ended();
    this.wakeTarget?.();
  };

  private rtpChannel(kind: 'video' | 'audio'): number {
    const t = this.tracks[kind]?.transport;
    return t?.lower === 'TCP' ? t.channels[0] : -1;
  }

  private sendTcp(frames: MediaFrame[], channels: RtpChannels): void {
    const socket = this.conn.socket;
    const stream = this.stream!;
    const run = this.encoder!.runBytes(frames, channels);
    socket.cork();
    try {
      if (run) socket.write(run);
      for (const f of frames) {
        const t = this.tracks[f.kind];
        const p = t ? stream.encoded(RTP_FORMAT, f) : null;
        if (!t || !p || t.transport.lower !== 'TCP') continue;
        if (!run) socket.write(p.interleaved(t.transport.channels[0]));
        t.packets += p.packets.length;
        t.octets += p.octets;
      }
      for (const t of Object.values(this.tracks)) {
        if (t?.transport.lower !== 'TCP') continue;
        const report = this.reportIfDue(t);
        if (report) socket.write(serializeRtspInterleaved(t.transport.channels[1], report));
      }
    } finally {
      socket.uncork();
    }
  }

  private sendUdp(): void {
    const reader = this.reader;
    if (!reader || reader.isClosed) return this.ended();
    const udp = this.server.udp;
    const stream = this.stream!;
    for (const f of reader.take()) {
      const t = this.tracks[f.kind];
      const p = t ? stream.encoded(RTP_FORMAT, f) : null;
      if (!t || !p || t.transport.lower !== 'UDP') continue;
      for (const packet of p.packets) udp.rtp.send(packet, t.transport.clientPorts[0], this.conn.address, noop);
      t.packets += p.packets.length;
      t.octets += p.octets;
      const report = this.reportIfDue(t);
      if (report) udp.rtcp.send(report, t.transport.clientPorts[1], this.conn.address, noop);
    }
  }

  /** A sender report when one is due (after the first packets, then every 5 s). */
  private reportIfDue(t: PlayTrack): Buffer | null {
    const now = Date.now();
    if (t.packets === 0 || now - t.lastReport < REPORT_EVERY_MS) return null;
    t.lastReport = now;
    return t.sender.report(this.encoder!.clock, t.packets, t.octets, now);
  }

  private ended(err?: unknown): void {
    if (err) this.server.log.warn({ err, session: this.id }, 'rtsp: play loop failed');
    if (this.closed) return;
    // the stream ended (or the connection failed): tell the player by closing its connection
    this.close('stream ended');
    this.conn.close();
  }
}
