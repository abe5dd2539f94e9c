/** Width and height from the SPS among a track's parameter sets (undefined when unreadable). */
import { parseH264Sps, parseH265Sps } from '@argus/protocols';
import type { VideoCodec } from '../../hub/index.js';

export function videoSize(codec: VideoCodec, parameterSets: readonly Buffer[]): { width: number; height: number } | undefined {
  const sps = parameterSets.find((p) => (codec === 'H264' ? (p[0]! & 0x1f) === 7 : ((p[0]! >> 1) & 0x3f) === 33));
  if (!sps) return undefined;
  try {
    const { width, height } = codec === 'H264' ? parseH264Sps(sps) : parseH265Sps(sps);
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
