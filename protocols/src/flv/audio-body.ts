import { FlvError, FlvErrorCode } from './errors.js';

export const FlvSoundFormat = { MP3: 2, PCMA: 7, PCMU: 8, AAC: 10, SPEEX: 11, EX_HEADER: 9 } as const;

export type FlvAudioCodec = 'AAC' | 'PCMA' | 'PCMU';

export interface FlvAudioPacket {
  soundFormat: number;
  /** The codec when it is one these helpers carry, otherwise null. */
  codec: FlvAudioCodec | null;
  /** The rate, size and type bits of the first byte, as written (AAC always says 44 kHz stereo). */
  soundRate: number;
  soundSize: number;
  soundType: number;
  packet: 'sequence-start' | 'frame';
  /** AudioSpecificConfig (sequence-start) or one raw frame. */
  data: Buffer;
}

/** Parses the body of an FLV audio tag / RTMP audio message. */
export function parseAudioBody(body: Buffer): FlvAudioPacket {
  if (body.length < 1) throw new FlvError(FlvErrorCode.TRUNCATED, 'empty audio body');
  const b0 = body[0]!;
  const soundFormat = b0 >> 4;
  const bits = { soundFormat, soundRate: (b0 >> 2) & 3, soundSize: (b0 >> 1) & 1, soundType: b0 & 1 };
  if (soundFormat === FlvSoundFormat.AAC) {
    if (body.length < 2) throw new FlvError(FlvErrorCode.TRUNCATED, 'AAC packet type missing');
    return { ...bits, codec: 'AAC', packet: body[1] === 0 ? 'sequence-start' : 'frame', data: body.subarray(2) };
  }
  const codec: FlvAudioCodec | null = soundFormat === FlvSoundFormat.PCMA ? 'PCMA' : soundFormat === FlvSoundFormat.PCMU ? 'PCMU' : null;
  return { ...bits, codec, packet: 'frame', data: body.subarray(1) };
}

/** Builds an audio tag body: AAC sequence header / raw frame, or a G.711 frame (8 kHz mono). */
export function buildAudioBody(p: { codec: FlvAudioCodec; packet: 'sequence-start' | 'frame'; data: Buffer }): Buffer {
  if (p.codec === 'AAC') return Buffer.concat([Buffer.from([0xaf, p.packet === 'sequence-start' ? 0 : 1]), p.data]);
  if (p.packet === 'sequence-start') throw new FlvError(FlvErrorCode.BAD_BODY, `${p.codec} has no sequence header`);
  const format = p.codec === 'PCMA' ? FlvSoundFormat.PCMA : FlvSoundFormat.PCMU;
  return Buffer.concat([Buffer.from([(format << 4) | 0x02]), p.data]);
}
