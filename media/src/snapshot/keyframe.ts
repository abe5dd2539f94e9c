/** A video keyframe as an Annex-B elementary stream an ffmpeg decoder can open on its own. */
import { h264NalType, h265NalType } from '@argus/protocols';
import type { MediaFrame, VideoTrack } from '../hub/index.js';

const START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Parameter sets of the track (H.264 SPS/PPS; H.265 VPS/SPS/PPS), then the keyframe's NAL units
 * (parameter sets carried in-band stay, AUDs are left out), each behind a 4-byte start code.
 */
export function keyframeAnnexB(track: VideoTrack, frame: MediaFrame): Buffer {
  const isAud = (u: Buffer) => (track.codec === 'H264' ? h264NalType(u) === 9 : h265NalType(u) === 35);
  const parts: Buffer[] = [];
  for (const unit of [...track.parameterSets, ...frame.units]) {
    if (unit.length === 0 || isAud(unit)) continue;
    parts.push(START_CODE, unit);
  }
  return Buffer.concat(parts);
}
