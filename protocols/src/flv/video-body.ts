import { FlvError, FlvErrorCode } from './errors.js';

export type FlvVideoCodec = 'H264' | 'H265';

/** Legacy codec ids: 7 = AVC; 12 = HEVC as the common (non-Adobe) extension writes it. */
export const FlvVideoCodecId = { AVC: 7, HEVC: 12 } as const;

/** Enhanced RTMP video packet types. */
export const ExVideoPacketType = {
  SEQUENCE_START: 0,
  CODED_FRAMES: 1,
  SEQUENCE_END: 2,
  CODED_FRAMES_X: 3,
  METADATA: 4,
  MPEG2TS_SEQUENCE_START: 5,
} as const;

export type FlvVideoPacketKind = 'sequence-start' | 'frame' | 'sequence-end' | 'other';

export interface FlvVideoPacket {
  /** 1 keyframe, 2 inter frame, 3 disposable, 4 generated keyframe, 5 info/command frame. */
  frameType: number;
  /** The codec when it is one these helpers carry, otherwise null (with codecId or fourCc saying which). */
  codec: FlvVideoCodec | null;
  /** Enhanced RTMP (ex-header with a FourCC) rather than a legacy codec id. */
  enhanced: boolean;
  codecId?: number;
  fourCc?: string;
  packet: FlvVideoPacketKind;
  /** Composition time offset in ms (pts − dts). */
  cts: number;
  /** The decoder configuration record (sequence-start) or length-prefixed NAL units (frame). */
  data: Buffer;
}

/** Parses the body of an FLV video tag / RTMP video message, legacy or Enhanced RTMP. */
export function parseVideoBody(body: Buffer): FlvVideoPacket {
  if (body.length < 1) throw new FlvError(FlvErrorCode.TRUNCATED, 'empty video body');
  const b0 = body[0]!;
  if (b0 & 0x80) {
    const frameType = (b0 >> 4) & 7;
    const packetType = b0 & 0x0f;
    if (body.length < 5) throw new FlvError(FlvErrorCode.TRUNCATED, 'Enhanced RTMP video header cut off');
    const fourCc = body.toString('latin1', 1, 5);
    const codec: FlvVideoCodec | null = fourCc === 'hvc1' ? 'H265' : fourCc === 'avc1' ? 'H264' : null;
    const base = { frameType, codec, enhanced: true, fourCc, cts: 0 };
    if (frameType === 5) return { ...base, packet: 'other', data: body.subarray(5) };
    switch (packetType) {
      case ExVideoPacketType.SEQUENCE_START:
        return { ...base, packet: 'sequence-start', data: body.subarray(5) };
      case ExVideoPacketType.SEQUENCE_END:
        return { ...base, packet: 'sequence-end', data: body.subarray(5) };
      case ExVideoPacketType.CODED_FRAMES_X:
        return { ...base, packet: 'frame', data: body.subarray(5) };
      case ExVideoPacketType.CODED_FRAMES: {
        // avc1 and hvc1 carry a composition time; other codecs do not
        if (codec === null) return { ...base, packet: 'frame', data: body.subarray(5) };
        if (body.length < 8) throw new FlvError(FlvErrorCode.TRUNCATED, 'composition time cut off');
        return { ...base, packet: 'frame', cts: body.readIntBE(5, 3), data: body.subarray(8) };
      }
      default:
        return { ...base, packet: 'other', data: body.subarray(5) };
    }
  }
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  const codec: FlvVideoCodec | null = codecId === FlvVideoCodecId.AVC ? 'H264' : codecId === FlvVideoCodecId.HEVC ? 'H265' : null;
  if (codec === null || frameType === 5) {
    return { frameType, codec, enhanced: false, codecId, packet: 'other', cts: 0, data: body.subarray(1) };
  }
  if (body.length < 5) throw new FlvError(FlvErrorCode.TRUNCATED, 'AVC video header cut off');
  const packetType = body[1]!;
  const packet: FlvVideoPacketKind = packetType === 0 ? 'sequence-start' : packetType === 1 ? 'frame' : packetType === 2 ? 'sequence-end' : 'other';
  return { frameType, codec, enhanced: false, codecId, packet, cts: body.readIntBE(2, 3), data: body.subarray(5) };
}

export interface VideoBodyOptions {
  /** How to write H.265: Enhanced RTMP 'hvc1' (default) or the legacy codec id 12. */
  hevc?: 'enhanced' | 'legacy';
}

/** Builds a video tag body: a sequence header (data = decoder config record), a frame (data = length-prefixed units), or an end of sequence. */
export function buildVideoBody(
  p: { codec: FlvVideoCodec; packet: 'sequence-start' | 'frame' | 'sequence-end'; keyframe: boolean; cts?: number; data: Buffer },
  options: VideoBodyOptions = {},
): Buffer {
  const frameType = p.keyframe || p.packet !== 'frame' ? 1 : 2;
  const cts = Math.max(-0x800000, Math.min(0x7fffff, Math.round(p.cts ?? 0)));
  if (p.codec === 'H265' && (options.hevc ?? 'enhanced') === 'enhanced') {
    const packetType = p.packet === 'sequence-start' ? 0 : p.packet === 'frame' ? 1 : 2;
    const head = Buffer.alloc(p.packet === 'frame' ? 8 : 5);
    head[0] = 0x80 | (frameType << 4) | packetType;
    head.write('hvc1', 1, 'latin1');
    if (p.packet === 'frame') head.writeIntBE(cts, 5, 3);
    return Buffer.concat([head, p.data]);
  }
  const head = Buffer.alloc(5);
  head[0] = (frameType << 4) | (p.codec === 'H264' ? FlvVideoCodecId.AVC : FlvVideoCodecId.HEVC);
  head[1] = p.packet === 'sequence-start' ? 0 : p.packet === 'frame' ? 1 : 2;
  head.writeIntBE(p.packet === 'frame' ? cts : 0, 2, 3);
  return Buffer.concat([head, p.data]);
}
