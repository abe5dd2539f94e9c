/**
 * The device end of a talk session, as the media node sees it. Device drivers live in the access
 * plane (access/src/talk): the launcher hands the media node a DeviceTalkConnector, which asks the
 * access plane how to reach the channel's device and opens the driver's leg in this process (see
 * docs/decisions: talk audio goes straight from the media node to the device).
 */
import type { AudioFormat, EncodedAudio } from './audio/audio-converter.js';

export type { AudioFormat, EncodedAudio } from './audio/audio-converter.js';

export interface DeviceTalk {
  /** What the device plays (talker audio is converted to it). */
  readonly uplink: AudioFormat;
  /** What the device's microphone sends back; null when the device sends nothing. */
  readonly downlink: AudioFormat | null;
  /** For logs and talkSessions, e.g. "ONVIF backchannel PCMU/8000". */
  readonly description: string;
  /** Talker audio, already in `uplink`. Never throws; ignored after close. */
  send(frame: EncodedAudio): void;
  /** Device audio in `downlink`. */
  onAudio(listener: (frame: EncodedAudio) => void): void;
  /** Ends the device leg (tells the device the talk is over). Idempotent. */
  close(reason?: string): void;
  /** The device leg ended on its own (device hung up, connection lost). */
  onClose(listener: (reason: string) => void): void;
}

export interface DeviceTalkRequest {
  sessionId: string;
  /** The media node asking (the one that will hold the device leg). */
  nodeId: string;
  tenantId: string;
  channelId: string;
  /** The talker's format; a driver picks it when the device offers it (no transcoding then). */
  preferred: AudioFormat;
}

export interface DeviceTalkConnector {
  /** Opens the device leg; DeviceTalkUnavailable when the device cannot talk or cannot be reached. */
  open(request: DeviceTalkRequest): Promise<DeviceTalk>;
}

/** The channel's device cannot take a talk session (no driver, unreachable, refused). */
export class DeviceTalkUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceTalkUnavailable';
  }
}
