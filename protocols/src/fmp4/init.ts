/**
 * The initialization segment of a fragmented MP4 (CMAF-style): ftyp + moov with one trak per track
 * (avc1+avcC, hvc1+hvcC, mp4a+esds), empty sample tables, and mvex/trex.
 */
import { Mp4Error, Mp4ErrorCode } from './errors.js';
import { MATRIX, box, fourcc, fullBox, u16, u32, u8, zeros } from './write.js';

export interface Mp4VideoTrack {
  kind: 'video';
  id: number;
  codec: 'H264' | 'H265';
  /** Ticks per second of this track's times (90000 is usual). */
  timescale: number;
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord or HEVCDecoderConfigurationRecord. */
  config: Uint8Array;
}

export interface Mp4AudioTrack {
  kind: 'audio';
  id: number;
  codec: 'AAC';
  /** Usually the sample rate. */
  timescale: number;
  sampleRate: number;
  channels: number;
  /** AudioSpecificConfig. */
  config: Uint8Array;
}

export type Mp4Track = Mp4VideoTrack | Mp4AudioTrack;

export function buildInitSegment(tracks: readonly Mp4Track[]): Buffer {
  if (!tracks.length) throw new Mp4Error(Mp4ErrorCode.BAD_INPUT, 'an init segment needs a track');
  const ftyp = box('ftyp', fourcc('iso5'), u32(512), fourcc('iso5'), fourcc('iso6'), fourcc('mp41'));
  const nextId = Math.max(...tracks.map((t) => t.id)) + 1;
  const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, 1000, 0, 0x00010000), u16(0x0100), zeros(10), MATRIX, zeros(24), u32(nextId));
  const mvex = box('mvex', ...tracks.map((t) => fullBox('trex', 0, 0, u32(t.id, 1, 0, 0, 0))));
  return Buffer.concat([ftyp, box('moov', mvhd, ...tracks.map(trak), mvex)]);
}

function trak(t: Mp4Track): Buffer {
  const video = t.kind === 'video';
  const tkhd = fullBox(
    'tkhd', 0, 0x000003,
    u32(0, 0, t.id, 0, 0), zeros(8), u16(0, 0, video ? 0 : 0x0100, 0), MATRIX,
    u32(video ? t.width * 0x10000 : 0, video ? t.height * 0x10000 : 0),
  );
  const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, t.timescale, 0), u16(0x55c4, 0)); // language 'und'
  const hdlr = fullBox('hdlr', 0, 0, u32(0), fourcc(video ? 'vide' : 'soun'), zeros(12), Buffer.from(video ? 'VideoHandler\0' : 'SoundHandler\0'));
  const header = video ? fullBox('vmhd', 0, 1, zeros(8)) : fullBox('smhd', 0, 0, zeros(4));
  const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32(1), video ? visualEntry(t) : audioEntry(t)),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  return box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', header, dinf, stbl)));
}

function visualEntry(t: Mp4VideoTrack): Buffer {
  const [entry, configBox] = t.codec === 'H264' ? ['avc1', 'avcC'] : ['hvc1', 'hvcC'];
  return box(
    entry,
    zeros(6), u16(1), // reserved, data_reference_index
    zeros(16), // pre_defined, reserved, pre_defined[3]
    u16(t.width, t.height), u32(0x00480000, 0x00480000, 0), u16(1),
    zeros(32), // compressorname
    u16(0x0018, 0xffff),
    box(configBox, t.config),
  );
}

function audioEntry(t: Mp4AudioTrack): Buffer {
  return box(
    'mp4a',
    zeros(6), u16(1), zeros(8),
    u16(t.channels, 16, 0, 0),
    u32(t.sampleRate < 0x10000 ? t.sampleRate * 0x10000 : 0),
    fullBox('esds', 0, 0, esDescriptor(t.id, t.config)),
  );
}

/** ES_Descriptor → DecoderConfigDescriptor (AAC, audio stream) → DecoderSpecificInfo, + SLConfig. */
function esDescriptor(id: number, asc: Uint8Array): Buffer {
  const decoderSpecific = descriptor(0x05, asc);
  const decoderConfig = descriptor(0x04, Buffer.concat([u8(0x40, 0x15, 0, 0, 0), u32(0, 0), decoderSpecific]));
  return descriptor(0x03, Buffer.concat([u16(id), u8(0), decoderConfig, descriptor(0x06, u8(0x02))]));
}

function descriptor(tag: number, body: Uint8Array): Buffer {
  const n = body.length;
  const size = n < 0x80 ? u8(n) : u8(0x80 | (n >> 21), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f), n & 0x7f);
  return Buffer.concat([u8(tag), size, body]);
}
