/**
 * Ogg (RFC 3533) pages and the two Opus header packets (RFC 7845 §5), to hand Opus packets to
 * ffmpeg (Ogg is how it reads Opus from a pipe). Reading Ogg back is media's OggSplitter.
 */
import { OggError, OggErrorCode } from './errors.js';

/** Ogg's CRC-32: polynomial 0x04C11DB7, initial value 0, no reflection, no final xor. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

export const OGG_HEADER_CONTINUED = 0x01;
export const OGG_HEADER_BOS = 0x02;
export const OGG_HEADER_EOS = 0x04;

export interface OggPageInput {
  /** OGG_HEADER_BOS on the first page of a stream, OGG_HEADER_EOS on the last. */
  headerType: number;
  /** Granule position after the last packet that ends on this page (Opus: 48 kHz samples). */
  granule: bigint;
  serial: number;
  sequence: number;
  /** Whole packets, each ending on this page; at most 255 lacing values in all. */
  packets: Buffer[];
}

/** One page holding `packets` (a packet of n bytes takes floor(n / 255) + 1 lacing values). */
export function buildOggPage(p: OggPageInput): Buffer {
  const lacing: number[] = [];
  for (const packet of p.packets) {
    let n = packet.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  if (lacing.length > 255) throw new OggError(OggErrorCode.BAD_INPUT, 'packets do not fit one Ogg page (over 255 lacing values)');
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = p.headerType & 0x07;
  header.writeBigUInt64LE(BigInt.asUintN(64, p.granule), 6);
  header.writeUInt32LE(p.serial >>> 0, 14);
  header.writeUInt32LE(p.sequence >>> 0, 18);
  header[26] = lacing.length;
  for (let i = 0; i < lacing.length; i++) header[27 + i] = lacing[i]!;
  const page = Buffer.concat([header, ...p.packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** RFC 7845 §5.1 identification header ("OpusHead", channel mapping family 0). */
export function buildOpusHead(channels: number, preSkip: number, inputSampleRate: number): Buffer {
  if (channels < 1 || channels > 2) throw new OggError(OggErrorCode.BAD_INPUT, 'OpusHead with mapping family 0 has 1 or 2 channels');
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1;
  b[9] = channels;
  b.writeUInt16LE(preSkip & 0xffff, 10);
  b.writeUInt32LE(inputSampleRate >>> 0, 12);
  b.writeInt16LE(0, 16);
  b[18] = 0;
  return b;
}

/** RFC 7845 §5.2 comment header with a vendor string and no comments. */
export function buildOpusTags(vendor: string): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const b = Buffer.alloc(8 + 4 + v.length + 4);
  b.write('OpusTags', 0, 'latin1');
  b.writeUInt32LE(v.length, 8);
  v.copy(b, 12);
  b.writeUInt32LE(0, 12 + v.length);
  return b;
}

/** True for the two Opus header packets (OpusHead, OpusTags). */
export function isOpusHeaderPacket(data: Buffer): boolean {
  if (data.length < 8) return false;
  const magic = data.toString('latin1', 0, 8);
  return magic === 'OpusHead' || magic === 'OpusTags';
}

/** Samples (at 48 kHz) in one Opus packet, from its TOC byte (RFC 6716 §3.1); 0 when malformed. */
export function opusSamples(packet: Buffer): number {
  if (packet.length < 1) return 0;
  const toc = packet[0]!;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3]!; // SILK: 10, 20, 40, 60 ms
  else if (config < 16) frameSamples = [480, 960][config & 1]!; // hybrid: 10, 20 ms
  else frameSamples = [120, 240, 480, 960][config & 3]!; // CELT: 2.5, 5, 10, 20 ms
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    if (packet.length < 2) return 0;
    frames = packet[1]! & 0x3f;
  }
  return frames * frameSamples;
}
