/**
 * Argus's WebSocket talk framing (the talk URL of transport WEBSOCKET). Binary messages carry
 * audio both ways, one encoded frame each, behind an 8-byte header:
 *
 *   byte 0     type: 0x01 = audio
 *   byte 1     flags: 0 (reserved)
 *   bytes 2-3  sequence number, uint16 big-endian, +1 per frame (wraps)
 *   bytes 4-7  timestamp, uint32 big-endian, milliseconds on the sender's clock (wraps)
 *   bytes 8-   one frame of the session's codec: G.711 bytes, big-endian L16 samples,
 *              a raw AAC frame (no ADTS), or one Opus packet
 *
 * Text messages are JSON control messages (TalkWsControl).
 */

export const TALK_WS_AUDIO = 0x01;
export const TALK_WS_HEADER_BYTES = 8;
/** Larger audio messages are refused (a 60 ms L16 frame at 48 kHz is 5,760 bytes). */
export const TALK_WS_MAX_PAYLOAD = 16 * 1024;

export interface TalkWsAudio {
  sequence: number;
  /** Milliseconds (uint32, wraps). */
  timestamp: number;
  payload: Buffer;
}

export function encodeTalkWsAudio(a: TalkWsAudio): Buffer {
  const out = Buffer.allocUnsafe(TALK_WS_HEADER_BYTES + a.payload.length);
  out[0] = TALK_WS_AUDIO;
  out[1] = 0;
  out.writeUInt16BE(a.sequence & 0xffff, 2);
  out.writeUInt32BE(Math.floor(a.timestamp) >>> 0, 4);
  a.payload.copy(out, TALK_WS_HEADER_BYTES);
  return out;
}

/** The audio of one binary message; null when it is not an audio message Argus accepts. */
export function decodeTalkWsAudio(data: Buffer): TalkWsAudio | null {
  if (data.length <= TALK_WS_HEADER_BYTES || data[0] !== TALK_WS_AUDIO) return null;
  if (data.length - TALK_WS_HEADER_BYTES > TALK_WS_MAX_PAYLOAD) return null;
  return { sequence: data.readUInt16BE(2), timestamp: data.readUInt32BE(4), payload: data.subarray(TALK_WS_HEADER_BYTES) };
}

/** Control messages (JSON text). */
export type TalkWsControl =
  /** server → client once the device leg is open: what to send and what comes back. */
  | { type: 'ready'; sessionId: string; codec: string; sampleRate: number; channels: number; device: string; timeoutSeconds: number }
  /** server → client before it closes the socket. */
  | { type: 'ended'; reason: string }
  /** client → server: keeps a silent talker's session alive (any message does). */
  | { type: 'ping' }
  /** client → server: hang up. */
  | { type: 'bye' };

/** WebSocket close codes of talk sessions (4000-4999 are the application's). */
export const TALK_WS_CLOSE = {
  NORMAL: 1000,
  REVOKED: 4401,
  TIMEOUT: 4408,
  TAKEN_OVER: 4409,
  DEVICE_GONE: 4503,
} as const;
