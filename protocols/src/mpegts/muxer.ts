/**
 * MPEG-TS muxer for one program: PAT, PMT, a video PID (H.264/H.265, Annex-B with an AUD and the
 * parameter sets before each keyframe, PCR) and an audio PID (AAC in ADTS). Timestamps are 90 kHz ticks.
 */
import { AAC_SAMPLE_RATES, buildAdtsHeader, parseAacConfig, type AacConfig } from '../codecs/index.js';
import { annexBAccessUnit, type TsVideoCodec } from './annexb.js';
import { TsError, TsErrorCode } from './errors.js';
import { ContinuityCounters, packetize, psiPayload } from './packets.js';
import { PES_STREAM_ID, pesPacket } from './pes.js';
import { STREAM_TYPE, patSection, pmtSection, type PmtStream } from './psi.js';

export const TS_PIDS = { PMT: 0x1000, VIDEO: 0x100, AUDIO: 0x101 } as const;
const PROGRAM = 1;
/** How far the PCR runs behind the DTS it travels with (90 kHz), so a decoder never finds DTS < PCR. */
const PCR_LEAD = 9000;

export interface TsMuxerTracks {
  video?: { codec: TsVideoCodec; parameterSets: readonly Uint8Array[] };
  /** AAC; `config` is the AudioSpecificConfig (sample rate and channels are taken from it when given). */
  audio?: { codec: 'AAC'; sampleRate: number; channels: number; config?: Uint8Array };
}

export interface TsVideoSample {
  /** 90 kHz. */
  dts: number;
  pts: number;
  keyframe: boolean;
  /** NAL units without start codes. */
  units: readonly Uint8Array[];
}

export class TsMuxer {
  private readonly cc = new ContinuityCounters();
  private readonly aac?: AacConfig;
  private readonly streams: PmtStream[] = [];
  readonly pcrPid: number;

  constructor(private readonly tracks: TsMuxerTracks) {
    if (tracks.video) {
      if (tracks.video.codec !== 'H264' && tracks.video.codec !== 'H265') throw new TsError(TsErrorCode.BAD_INPUT, `video codec ${String(tracks.video.codec)} cannot go in TS here`);
      this.streams.push({ streamType: STREAM_TYPE[tracks.video.codec], pid: TS_PIDS.VIDEO });
    }
    if (tracks.audio) {
      if (tracks.audio.codec !== 'AAC') throw new TsError(TsErrorCode.BAD_INPUT, `audio codec ${String(tracks.audio.codec)} cannot go in TS here`);
      this.aac = tracks.audio.config?.length ? parseAacConfig(tracks.audio.config) : aacLc(tracks.audio.sampleRate, tracks.audio.channels);
      if (!(AAC_SAMPLE_RATES as readonly number[]).includes(this.aac.sampleRate)) throw new TsError(TsErrorCode.BAD_INPUT, `AAC sample rate ${this.aac.sampleRate} has no ADTS index`);
      this.streams.push({ streamType: STREAM_TYPE.AAC_ADTS, pid: TS_PIDS.AUDIO });
    }
    if (!this.streams.length) throw new TsError(TsErrorCode.BAD_INPUT, 'a TS needs a video or an audio track');
    this.pcrPid = tracks.video ? TS_PIDS.VIDEO : TS_PIDS.AUDIO;
  }

  /** PAT + PMT (start every segment with them). */
  tables(): Buffer {
    return Buffer.concat([
      packetize(0, psiPayload(patSection(PROGRAM, TS_PIDS.PMT)), this.cc),
      packetize(TS_PIDS.PMT, psiPayload(pmtSection(PROGRAM, this.pcrPid, this.streams)), this.cc),
    ]);
  }

  video(sample: TsVideoSample): Buffer {
    const v = this.tracks.video;
    if (!v) throw new TsError(TsErrorCode.BAD_INPUT, 'no video track');
    const es = annexBAccessUnit(v.codec, sample.units, sample.keyframe, v.parameterSets);
    const pes = pesPacket(PES_STREAM_ID.VIDEO, sample.pts, sample.dts, es);
    return packetize(TS_PIDS.VIDEO, pes, this.cc, { pcr: sample.dts - PCR_LEAD, randomAccess: sample.keyframe });
  }

  /** One raw AAC frame at `pts` (90 kHz). */
  audio(pts: number, frame: Uint8Array): Buffer {
    if (!this.aac) throw new TsError(TsErrorCode.BAD_INPUT, 'no audio track');
    const pes = pesPacket(PES_STREAM_ID.AUDIO, pts, undefined, Buffer.concat([buildAdtsHeader(this.aac, frame.length), frame]));
    const audioCarriesPcr = this.pcrPid === TS_PIDS.AUDIO;
    return packetize(TS_PIDS.AUDIO, pes, this.cc, audioCarriesPcr ? { pcr: pts - PCR_LEAD, randomAccess: true } : {});
  }
}

function aacLc(sampleRate: number, channels: number): AacConfig {
  return { objectType: 2, sampleRate, channelConfig: channels, channels };
}
