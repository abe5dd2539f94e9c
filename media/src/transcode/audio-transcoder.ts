/**
 * G.711 or Opus → AAC for one stream. Reads the source stream (one reader) and encodes its audio
 * to AAC through one ffmpeg (aac-encoder.ts): PCMA/PCMU decoded here in TypeScript (g711.ts) and
 * fed as PCM, Opus (from WebRTC publishers) fed as Ogg pages that ffmpeg decodes itself. Publishes
 * a derived Stream (not in the hub) with the source's video and the AAC audio, for egresses whose
 * container cannot carry the source's audio (HLS/LL-HLS for both; FLV and RTMP for Opus).
 *
 * Timestamps continue the source's: the encoder's sample clock is anchored at the first G.711
 * frame's dts; AAC frame i covers input samples from i·1024 − 1024 (the encoder's priming frame).
 * Gaps in the source audio up to MAX_FILL_MS are filled with silence (keeping A/V sync); longer
 * jumps forward re-anchor the clock. Video is held back (at most MAX_VIDEO_HOLD_MS) until the
 * encoded audio has caught up with it, so the derived stream stays interleaved in dts order.
 *
 * The transcoder stops (ffmpeg ends, the derived stream closes) when the source ends, or when the
 * derived stream has had no reader for `lingerMs`.
 */
import {
  AAC_FRAME_SAMPLES, AAC_SAMPLE_RATES, OGG_HEADER_BOS, buildAacConfig, buildOggPage, buildOpusHead, buildOpusTags, opusSamples,
} from '@argus/protocols';
import type { Logger } from '@argus/platform';
import { Stream, type AudioTrack, type MediaFrame, type StreamReader } from '../hub/index.js';
import { decodeG711 } from './g711.js';
import { AacEncoderProcess } from './aac-encoder.js';
import type { AdtsOut } from './adts-splitter.js';

/** Source audio gaps larger than this (ms) are filled with silence… */
const FILL_THRESHOLD_MS = 40;
/** …up to this long; longer jumps move the clock instead. */
const MAX_FILL_MS = 2000;
/** Video waits at most this long (wall clock) for the audio to catch up. */
const MAX_VIDEO_HOLD_MS = 1000;
/** And at most this many video frames wait. */
const MAX_VIDEO_HELD = 250;
/** Without source audio for this long (ms, wall clock), video is not held at all. */
const AUDIO_SILENT_MS = 2000;

export interface TranscoderOptions {
  logger: Logger;
  /** Stop after the derived stream had no reader this long (default 5 s). */
  lingerMs?: number;
  bitrate?: string;
  ffmpegPath?: string;
}

/** Whether a G.711 track can be transcoded (AAC/ADTS takes the rate, 1–2 channels). */
export function canTranscodeG711(track: AudioTrack | undefined): track is AudioTrack & { codec: 'PCMA' | 'PCMU' } {
  return (
    !!track && (track.codec === 'PCMA' || track.codec === 'PCMU') &&
    (AAC_SAMPLE_RATES as readonly number[]).includes(track.sampleRate) && (track.channels === 1 || track.channels === 2)
  );
}

/** Whether the track is Opus this transcoder can take (mono or stereo). */
export function canTranscodeOpus(track: AudioTrack | undefined): track is AudioTrack & { codec: 'OPUS' } {
  return !!track && track.codec === 'OPUS' && (track.channels === 1 || track.channels === 2);
}

/** How the source's audio frames reach ffmpeg, on a sample clock of `rate`. */
interface AudioInput {
  readonly rate: number;
  readonly channels: number;
  /** ffmpeg input options (before `-i pipe:0`). */
  readonly ffmpegInput: string[];
  /** Written once before the first frame (Ogg header pages), or null. */
  readonly preamble: Buffer | null;
  /** The frame's samples (per channel) and the bytes that carry them to ffmpeg; null to skip it. */
  take(bytes: Buffer): { samples: number; data: Buffer } | null;
  /** `samples` of silence in the input format, or null when it has none (a gap then moves the clock). */
  silence(samples: number): Buffer | null;
}

function g711Input(track: AudioTrack & { codec: 'PCMA' | 'PCMU' }): AudioInput {
  const { codec, sampleRate: rate, channels } = track;
  return {
    rate,
    channels,
    ffmpegInput: ['-f', 's16le', '-ar', String(rate), '-ac', String(channels)],
    preamble: null,
    take: (bytes) => {
      const samples = Math.floor(bytes.length / channels);
      return samples > 0 ? { samples, data: decodeG711(codec, bytes.subarray(0, samples * channels)) } : null;
    },
    silence: (samples) => Buffer.alloc(samples * channels * 2),
  };
}

function opusInput(track: AudioTrack & { codec: 'OPUS' }): AudioInput {
  const serial = 0x41524755; // "ARGU"
  let sequence = 0;
  let granule = 0n;
  const page = (packets: Buffer[], headerType = 0) => buildOggPage({ headerType, granule, serial, sequence: sequence++, packets });
  return {
    rate: 48000,
    channels: track.channels,
    ffmpegInput: ['-f', 'ogg'],
    // pre-skip 0: sample i of the input clock is sample i of ffmpeg's decoded audio
    preamble: Buffer.concat([page([buildOpusHead(track.channels, 0, track.sampleRate)], OGG_HEADER_BOS), page([buildOpusTags('argus')])]),
    take: (bytes) => {
      const samples = opusSamples(bytes);
      if (samples === 0) return null;
      granule += BigInt(samples);
      return { samples, data: page([bytes]) };
    },
    silence: () => null,
  };
}

interface Anchor {
  /** Input sample position (per channel). */
  sample: number;
  /** Source timestamp (ms) of that sample. */
  ts: number;
}

export class AacTranscoder {
  readonly output: Stream;
  stopped = false;
  private readonly reader: StreamReader;
  private readonly encoder: AacEncoderProcess;
  private readonly input: AudioInput;
  private readonly rate: number;
  private readonly channels: number;
  private readonly frameMs: number;
  private anchors: Anchor[] = [];
  private samplesIn = 0;
  private lastAudioDts: number | null = null;
  /** Source time up to which AAC audio has been published. */
  private audioHorizon = Number.NEGATIVE_INFINITY;
  private heldVideo: Array<{ frame: MediaFrame; at: number }> = [];
  private holdTimer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private encoderFailed = false;
  /** When the last G.711 frame arrived (wall clock). */
  private lastAudioInAt = Date.now();
  private warnedConfig = false;
  private readonly log: Logger;

  constructor(readonly source: Stream, private readonly o: TranscoderOptions) {
    const audio = source.tracks.audio;
    if (canTranscodeG711(audio)) this.input = g711Input(audio);
    else if (canTranscodeOpus(audio)) this.input = opusInput(audio);
    else throw new Error(`stream ${source.path} has no G.711 or Opus audio to transcode`);
    this.rate = this.input.rate;
    this.channels = this.input.channels;
    this.frameMs = (AAC_FRAME_SAMPLES * 1000) / this.rate;
    this.log = o.logger.child({ part: `${audio.codec.toLowerCase()}-aac`, path: source.path });
    this.output = new Stream(source.path, { ...source.publisher });
    this.output.setTracks({
      ...(source.tracks.video ? { video: source.tracks.video } : {}),
      audio: { kind: 'audio', codec: 'AAC', sampleRate: this.rate, channels: this.channels, config: buildAacConfig(2, this.rate, this.channels) },
    });
    this.output.on('reader', () => this.armLinger());
    this.encoder = new AacEncoderProcess({
      sampleRate: this.rate,
      channels: this.channels,
      input: this.input.ffmpegInput,
      ...(o.bitrate ? { bitrate: o.bitrate } : {}),
      ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      onFrame: (f, i) => this.onAac(f, i),
      onExit: (error) => {
        if (error === null || this.stopped) return;
        // no audio from now on; the video is not held back for it any more
        this.encoderFailed = true;
        this.log.warn({ error }, 'AAC encoder stopped; the stream continues without audio');
        this.releaseVideo();
      },
    });
    if (this.input.preamble) this.encoder.write(this.input.preamble);
    this.reader = source.addReader('HLS', 'aac-transcoder');
    void this.run();
    this.armLinger();
  }

  /** Ends ffmpeg and the derived stream. */
  stop(reason = 'transcoder stopped'): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.reader.close();
    this.encoder.close();
    this.heldVideo = [];
    this.output.close(reason);
    this.log.debug({ reason, framesOut: this.encoder.framesOut, droppedBytes: this.encoder.droppedBytes }, 'AAC transcoder stopped');
  }

  private async run() {
    try {
      for await (const frame of this.reader) {
        if (frame.kind === 'video') this.onVideo(frame);
        else this.onAudio(frame);
      }
    } catch (err) {
      this.log.warn({ err }, 'AAC transcoder failed');
    } finally {
      this.stop(this.source.closed ? 'source ended' : 'transcoder stopped');
    }
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

  // ---- audio in: to ffmpeg, on the sample clock

  private tsAt(sample: number): number {
    let a = this.anchors[0]!;
    for (const x of this.anchors) if (x.sample <= sample) a = x;
    return a.ts + ((sample - a.sample) * 1000) / this.rate;
  }

  private onAudio(frame: MediaFrame) {
    const bytes = frame.units[0];
    const taken = bytes ? this.input.take(bytes) : null;
    if (!taken) return;
    this.lastAudioInAt = Date.now();
    if (!this.anchors.length) this.anchors.push({ sample: 0, ts: frame.dts });
    else {
      const gap = frame.dts - this.tsAt(this.samplesIn);
      const silence = gap > FILL_THRESHOLD_MS && gap <= MAX_FILL_MS ? this.input.silence(Math.round((gap * this.rate) / 1000)) : null;
      if (silence) {
        if (this.encoder.write(silence)) this.samplesIn += silence.length / (this.channels * 2);
      } else if (gap > FILL_THRESHOLD_MS) this.anchors.push({ sample: this.samplesIn, ts: frame.dts });
    }
    if (this.encoder.write(taken.data)) this.samplesIn += taken.samples;
  }

  // ---- audio out: ADTS frames → MediaFrames with the source's timestamps

  private onAac(f: AdtsOut, index: number) {
    if (this.stopped || !this.anchors.length) return;
    if (!this.warnedConfig && (f.sampleRate !== this.rate || f.channelConfig !== this.channels || f.objectType !== 2)) {
      this.warnedConfig = true;
      this.log.warn({ got: f, want: { rate: this.rate, channels: this.channels } }, 'AAC encoder output differs from the announced track');
    }
    const sample = index * AAC_FRAME_SAMPLES - AAC_FRAME_SAMPLES;
    let dts = this.tsAt(sample);
    if (this.lastAudioDts !== null && dts <= this.lastAudioDts) dts = this.lastAudioDts + 0.001;
    this.lastAudioDts = dts;
    // anchors behind the output are no longer needed (keep the one in force)
    while (this.anchors.length > 1 && this.anchors[1]!.sample <= sample) this.anchors.shift();
    this.output.push({ kind: 'audio', dts, pts: dts, keyframe: true, units: [f.data] });
    this.audioHorizon = dts + this.frameMs;
    this.releaseVideo();
  }

  // ---- video: passed through, held until the audio caught up

  private onVideo(frame: MediaFrame) {
    if (this.source.tracks.video && this.source.tracks.video !== this.output.tracks.video) this.output.setTracks({ video: this.source.tracks.video });
    this.heldVideo.push({ frame, at: Date.now() });
    this.releaseVideo();
  }

  private releaseVideo() {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    const now = Date.now();
    const free = this.encoderFailed || now - this.lastAudioInAt > AUDIO_SILENT_MS;
    while (this.heldVideo.length) {
      const head = this.heldVideo[0]!;
      const due = free || head.frame.dts <= this.audioHorizon || now - head.at >= MAX_VIDEO_HOLD_MS || this.heldVideo.length > MAX_VIDEO_HELD;
      if (!due) break;
      this.heldVideo.shift();
      this.output.push(head.frame);
    }
    const head = this.heldVideo[0];
    if (head && !this.stopped) {
      this.holdTimer = setTimeout(() => this.releaseVideo(), Math.max(1, head.at + MAX_VIDEO_HOLD_MS - now));
      this.holdTimer.unref();
    }
  }
}
