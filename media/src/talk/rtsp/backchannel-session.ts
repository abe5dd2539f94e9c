/**
 * One RTSP talk session: its two tracks on the connection's interleaved channels, the talk leg
 * between them, and the session timeout. Device audio (in the talker's format) goes out as RTP on
 * the device track's channel once PLAYing; RTP arriving on the backchannel's channel goes to the
 * leg. A full socket drops device audio (it is live; nothing is queued behind a slow talker).
 */
import { serializeRtspInterleaved, type RtspRtpInfo } from '@argus/protocols';
import type { TalkTokenClaims } from '@argus/platform';
import type { RtspConnection } from '../../egress/rtsp/connection.js';
import type { RtspSession } from '../../egress/rtsp/server-state.js';
import type { AudioFormat } from '../audio/audio-converter.js';
import type { DeviceTalkLeg } from '../device-talk-leg.js';
import { RtpAudioReceiver, RtpAudioSender, payloadTypeOf } from '../rtp-audio.js';
import { TALK_END } from '../talk-node.js';

interface Track {
  channels: [number, number];
  uri: string;
}

/** Device audio waiting in the socket beyond this is dropped. */
const MAX_SOCKET_BACKLOG = 64 * 1024;

export class BackchannelSession implements RtspSession {
  readonly kind = 'talk';
  readonly usesUdp = false;
  closed = false;
  lastActivity = Date.now();
  playing = false;
  tracks: { device?: Track; backchannel?: Track } = {};
  droppedBytes = 0;
  private readonly sender: RtpAudioSender;
  private readonly receiver: RtpAudioReceiver;
  private readonly timer: NodeJS.Timeout;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private stopDeviceAudio: (() => void) | null = null;

  constructor(
    readonly id: string,
    public conn: RtspConnection,
    readonly claims: TalkTokenClaims,
    readonly leg: DeviceTalkLeg,
    readonly format: AudioFormat,
    timeoutSeconds: number,
  ) {
    const rtpFormat = { ...format, payloadType: payloadTypeOf(format) };
    this.sender = new RtpAudioSender(rtpFormat);
    this.receiver = new RtpAudioReceiver(rtpFormat);
    leg.onClose((reason) => {
      const byTalker = this.closed; // TEARDOWN or the connection went away
      this.close(reason);
      // the leg ended under the talker (device gone, take-over, revoked, timeout): hang up on it
      if (!byTalker && !this.conn.closed) this.conn.close();
    });
    // the talker went away (before SETUP too, when the connection holds no session yet)
    conn.socket.once('close', () => this.close(TALK_END.HUNG_UP));
    const timeoutMs = timeoutSeconds * 1000;
    this.timer = setInterval(() => {
      if (Date.now() - this.lastActivity > timeoutMs) {
        this.conn.server.log.info({ session: this.id, talk: claims.sessionId, remote: conn.remote }, 'rtsp talk: session timed out');
        this.leg.close(TALK_END.TIMEOUT);
      }
    }, Math.max(250, Math.min(5000, timeoutMs / 4)));
    this.timer.unref();
  }

  get path(): string {
    return `talk/${this.claims.channelId}`;
  }

  get deviceSsrc(): number {
    return this.sender.writer.ssrc;
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  usedChannels(): Set<number> {
    const used = new Set<number>();
    for (const t of Object.values(this.tracks)) if (t) t.channels.forEach((c) => used.add(c));
    return used;
  }

  addTrack(kind: 'device' | 'backchannel', channels: [number, number], uri: string): void {
    this.tracks[kind] = { channels, uri };
  }

  rtpInfo(): RtspRtpInfo[] {
    const out: RtspRtpInfo[] = [];
    if (this.tracks.device) out.push({ url: this.tracks.device.uri, seq: this.sender.writer.sequenceNumber, rtptime: this.sender.nextTimestamp });
    if (this.tracks.backchannel) out.push({ url: this.tracks.backchannel.uri, seq: 0, rtptime: 0 });
    return out;
  }

  /** After the PLAY answer: device audio flows to the talker. */
  start(): void {
    if (this.closed || this.playing) return;
    this.playing = true;
    const device = this.tracks.device;
    if (!device) return;
    this.stopDeviceAudio = this.leg.onDeviceAudio((frame) => {
      const socket = this.conn.socket;
      if (this.closed || socket.destroyed) return;
      const packets = this.sender.packets(frame.payload, frame.timestamp);
      if (socket.writableLength > MAX_SOCKET_BACKLOG) {
        this.droppedBytes += frame.payload.length;
        return;
      }
      socket.write(Buffer.concat(packets.map((p) => serializeRtspInterleaved(device.channels[0], p))));
    });
  }

  onInterleaved(channel: number, payload: Buffer): void {
    this.touch(); // RTP and RTCP from the talker keep the session alive
    const bc = this.tracks.backchannel;
    if (!bc || channel !== bc.channels[0] || this.closed) return;
    for (const f of this.receiver.receive(payload)) {
      this.leg.send({ codec: this.format.codec, sampleRate: this.format.sampleRate, channels: this.format.channels, payload: f.payload, timestamp: f.timestamp });
    }
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener('closed');
    else this.closeListeners.push(listener);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason === 'connection closed' || reason === 'teardown') reason = TALK_END.HUNG_UP;
    clearInterval(this.timer);
    this.stopDeviceAudio?.();
    this.conn.server.sessions.delete(this.id);
    if (this.conn.session === this) this.conn.session = null;
    this.leg.close(reason);
    for (const l of this.closeListeners.splice(0)) l(reason);
    this.conn.server.log.debug({ session: this.id, talk: this.claims.sessionId, reason }, 'rtsp talk: session closed');
  }
}
