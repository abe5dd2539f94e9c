/**
 * Two-way talk, seen from the media plane: one `TalkLeg` per talk session joins a talker
 * (an RTSP backchannel client, a WebSocket client or a browser over WebRTC) to a device.
 *
 * The talker side calls `send` with the audio it captured (microphone → device) and listens
 * with `onDeviceAudio` for what the device hears (device → talker). Whoever opens the leg owns
 * transcoding between the talker's codec and the device's codec; a transport only moves frames.
 */

export type TalkCodec = 'PCMU' | 'PCMA' | 'L16' | 'AAC' | 'OPUS';

export interface TalkAudioFrame {
  codec: TalkCodec;
  /** Samples per second (8000 for G.711, 48000 for Opus, …). */
  sampleRate: number;
  channels: number;
  /** One encoded frame (G.711 bytes, big-endian L16 samples, raw AAC without ADTS, one Opus packet). */
  payload: Buffer;
  /** Capture time in milliseconds on the sender's clock. */
  timestamp: number;
}

export interface TalkLeg {
  readonly sessionId: string;
  /** The codec the talker is expected to send (negotiated when the leg was opened). */
  readonly uplinkCodec: TalkCodec;
  /** Talker → device. Never throws; frames after `close` are ignored. */
  send(frame: TalkAudioFrame): void;
  /** Device → talker; returns a function that stops listening. */
  onDeviceAudio(listener: (frame: TalkAudioFrame) => void): () => void;
  /** Ends the session (talker hung up, timeout, take-over). Idempotent. */
  close(reason?: string): void;
  onClose(listener: (reason: string) => void): void;
}

/** Opens the leg for a talk session once its token was checked. */
export interface TalkLegProvider {
  open(request: { sessionId: string; tenantId: string; channelId: string; codec: TalkCodec }): Promise<TalkLeg>;
}
