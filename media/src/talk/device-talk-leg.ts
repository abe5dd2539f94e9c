/**
 * A TalkLeg joined to a device: talker frames are converted to what the device plays, device
 * frames to what the talker hears (the talker's format), one converter per direction (and per
 * talker format, should a talker change format mid-session). Counts the audio bytes each way.
 */
import type { Logger } from '@argus/platform';
import { createAudioConverter, describeFormat, type AudioConverter, type AudioFormat } from './audio/audio-converter.js';
import type { DeviceTalk } from './device-talk.js';
import type { TalkAudioFrame, TalkCodec, TalkLeg } from './talk-leg.js';

const formatKey = (f: { codec: string; sampleRate: number; channels: number }) => `${f.codec}/${f.sampleRate}/${f.channels}`;

export class DeviceTalkLeg implements TalkLeg {
  readonly uplinkCodec: TalkCodec;
  closed = false;
  closeReason: string | null = null;
  bytesUp = 0;
  bytesDown = 0;
  /** Date.now() of the last frame from the talker. */
  lastTalkerFrameAt = 0;
  private readonly up = new Map<string, AudioConverter>();
  private down: AudioConverter | null = null;
  private readonly deviceListeners = new Set<(frame: TalkAudioFrame) => void>();
  private readonly closeListeners: Array<(reason: string) => void> = [];

  constructor(
    readonly sessionId: string,
    /** What the talker sends and hears. */
    readonly talker: AudioFormat,
    readonly device: DeviceTalk,
    private readonly log: Logger,
    private readonly ffmpegPath?: string,
  ) {
    this.uplinkCodec = talker.codec;
    const downlink = device.downlink;
    if (downlink) {
      this.down = createAudioConverter(downlink, { ...talker, channels: 1 }, (out) => {
        if (this.closed) return;
        this.bytesDown += out.payload.length;
        const frame: TalkAudioFrame = { codec: talker.codec, sampleRate: talker.sampleRate, channels: 1, payload: out.payload, timestamp: out.timestamp };
        for (const l of this.deviceListeners) l(frame);
      }, this.converterOptions('device → talker'));
      device.onAudio((f) => this.down?.push(f));
    }
    device.onClose((reason) => this.close(`device: ${reason}`));
  }

  get description(): string {
    return `${describeFormat(this.talker)} ⇄ ${this.device.description}`;
  }

  send(frame: TalkAudioFrame): void {
    if (this.closed || frame.payload.length === 0) return;
    this.lastTalkerFrameAt = Date.now();
    this.bytesUp += frame.payload.length;
    const key = formatKey(frame);
    let conv = this.up.get(key);
    if (!conv) {
      if (this.up.size >= 4) return; // a talker does not change format more than that
      const from: AudioFormat = { codec: frame.codec, sampleRate: frame.sampleRate, channels: frame.channels };
      conv = createAudioConverter(from, this.device.uplink, (out) => this.device.send(out), this.converterOptions('talker → device'));
      this.up.set(key, conv);
      this.log.debug({ session: this.sessionId, from: describeFormat(from), to: describeFormat(this.device.uplink) }, 'talk: uplink format');
    }
    conv.push({ payload: frame.payload, timestamp: frame.timestamp });
  }

  onDeviceAudio(listener: (frame: TalkAudioFrame) => void): () => void {
    this.deviceListeners.add(listener);
    return () => this.deviceListeners.delete(listener);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const c of this.up.values()) c.close();
    this.down?.close();
    this.deviceListeners.clear();
    this.device.close(reason);
    for (const l of this.closeListeners.splice(0)) {
      try {
        l(reason);
      } catch (err) {
        this.log.warn({ err, session: this.sessionId }, 'talk: close listener failed');
      }
    }
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener(this.closeReason ?? 'closed');
    else this.closeListeners.push(listener);
  }

  private converterOptions(direction: string) {
    return {
      ...(this.ffmpegPath ? { ffmpegPath: this.ffmpegPath } : {}),
      onError: (message: string) => {
        this.log.warn({ session: this.sessionId, direction, message }, 'talk: audio conversion failed');
        this.close(`audio conversion failed (${direction})`);
      },
    };
  }
}
