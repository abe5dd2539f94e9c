/**
 * AAC → Opus for one stream, for WebRTC players (browsers take Opus, PCMU and PCMA, not AAC).
 * Reads the source's audio (one reader), wraps each frame in ADTS, encodes through one ffmpeg
 * (opus-encoder.ts) and publishes a derived audio-only Stream (not in the hub) of Opus packets
 * (20 ms, 48 kHz). Video is not touched: a player reads video from the source and audio from here.
 *
 * Timestamps continue the source's: the 48 kHz sample clock is anchored at the first AAC frame's
 * dts; Opus packet i starts at sample i·960 − pre-skip. A jump in the source audio of more than
 * MAX_GAP_MS re-anchors the clock.
 *
 * The transcoder stops when the source ends or when the derived stream has had no reader for
 * `lingerMs`.
 */
import { AAC_FRAME_SAMPLES, buildAdtsHeader, parseAacConfig, type AacConfig } from '@argus/protocols';
import type { Logger } from '@argus/platform';
import { Stream, type AudioTrack, type StreamReader } from '../hub/index.js';
import { OpusEncoderProcess } from './opus-encoder.js';

const OPUS_RATE = 48000;
const OPUS_FRAME = 960;
const MAX_GAP_MS = 1000;

export interface OpusTranscoderOptions {
  logger: Logger;
  lingerMs?: number;
  bitrate?: string;
  ffmpegPath?: string;
}

/** Whether the track is AAC this transcoder can take (an AudioSpecificConfig ADTS can express). */
export function canTranscodeAac(track: AudioTrack | undefined): track is AudioTrack & { codec: 'AAC'; config: Buffer } {
  if (!track || track.codec !== 'AAC' || !track.config) return false;
  try {
    const c = parseAacConfig(track.config);
    return c.objectType >= 1 && c.objectType <= 4 && c.channelConfig >= 1 && c.channelConfig <= 2;
  } catch {
    return false;
  }
}

interface Anchor {
  /** Position on the 48 kHz clock. */
  sample: number;
  ts: number;
}

export class AacOpusTranscoder {
  readonly output: Stream;
  stopped = false;
  private readonly reader: StreamReader;
  private readonly encoder: OpusEncoderProcess;
  private readonly config: AacConfig;
  /** 48 kHz samples per AAC frame. */
  private readonly step: number;
  private anchors: Anchor[] = [];
  private samplesIn = 0;
  private preSkip = 312;
  private lastDts: number | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(readonly source: Stream, private readonly o: OpusTranscoderOptions) {
    const audio = source.tracks.audio;
    if (!canTranscodeAac(audio)) throw new Error(`stream ${source.path} has no transcodable AAC audio`);
    this.config = parseAacConfig(audio.config);
    this.step = (AAC_FRAME_SAMPLES * OPUS_RATE) / this.config.sampleRate;
    this.log = o.logger.child({ part: 'aac-opus', path: source.path });
    this.output = new Stream(source.path, { ...source.publisher });
    this.output.setTracks({ audio: { kind: 'audio', codec: 'OPUS', sampleRate: OPUS_RATE, channels: 2 } });
    this.output.on('reader', () => this.armLinger());
    this.encoder = new OpusEncoderProcess({
      ...(o.bitrate ? { bitrate: o.bitrate } : {}),
      ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      onHead: (preSkip) => (this.preSkip = preSkip),
      onPacket: (p, i) => this.onOpus(p, i),
      onExit: (error) => {
        if (error !== null && !this.stopped) this.log.warn({ error }, 'Opus encoder stopped; WebRTC players get no audio');
        this.stop('encoder stopped');
      },
    });
    this.reader = source.addReader('WEBRTC', 'aac-opus-transcoder');
    void this.run();
    this.armLinger();
  }

  /** The encoder's pid (CPU accounting in benchmarks). */
  get encoderPid(): number | undefined {
    return this.encoder.pid;
  }

  stop(reason = 'transcoder stopped'): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.reader.close();
    this.encoder.close();
    this.output.close(reason);
  }

  private async run() {
    try {
      for await (const frame of this.reader) {
        if (frame.kind !== 'audio') continue;
        const raw = frame.units[0];
        if (!raw || raw.length === 0 || raw.length + 7 > 0x1fff) continue;
        const expected = this.anchors.length ? this.tsAt(this.samplesIn) : frame.dts;
        if (!this.anchors.length || Math.abs(frame.dts - expected) > MAX_GAP_MS) this.anchors.push({ sample: this.samplesIn, ts: frame.dts });
        if (this.encoder.write(Buffer.concat([buildAdtsHeader(this.config, raw.length), raw]))) this.samplesIn += this.step;
      }
    } catch (err) {
      this.log.warn({ err }, 'AAC → Opus transcoder failed');
    } finally {
      this.stop(this.source.closed ? 'source ended' : 'transcoder stopped');
    }
  }

  private tsAt(sample: number): number {
    let a = this.anchors[0]!;
    for (const x of this.anchors) if (x.sample <= sample) a = x;
    return a.ts + ((sample - a.sample) * 1000) / OPUS_RATE;
  }

  private onOpus(packet: Buffer, index: number) {
    if (this.stopped || !this.anchors.length) return;
    const sample = Math.max(0, index * OPUS_FRAME - this.preSkip);
    let dts = this.tsAt(sample);
    if (this.lastDts !== null && dts <= this.lastDts) dts = this.lastDts + 0.001;
    this.lastDts = dts;
    while (this.anchors.length > 1 && this.anchors[1]!.sample <= sample) this.anchors.shift();
    this.output.push({ kind: 'audio', dts, pts: dts, keyframe: true, units: [packet] });
  }

  private armLinger() {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.stopped || this.output.readerCount > 0) return;
    this.lingerTimer = setTimeout(() => {
      if (this.output.readerCount === 0) this.stop('no readers');
    }, this.o.lingerMs ?? 5000);
    this.lingerTimer.unref();
  }
}
