/**
 * Media fragments: moof (mfhd, one traf per track: tfhd, tfdt, trun) + one mdat holding every
 * track's samples in order. Times are in each track's timescale.
 */
import { Mp4Error, Mp4ErrorCode } from './errors.js';
import { box, fullBox, i32, u32, u64 } from './write.js';

export interface Mp4Sample {
  /** Ticks until the next sample. */
  duration: number;
  /** Sync sample (keyframe; every audio sample). */
  sync: boolean;
  /** Composition (presentation) minus decode time, ticks; may be negative. */
  compositionOffset?: number;
  /** Sample bytes (video: length-prefixed NAL units). */
  data: Uint8Array;
}

export interface Mp4TrackRun {
  trackId: number;
  /** Decode time of the first sample. */
  baseDecodeTime: number;
  samples: readonly Mp4Sample[];
}

/** sample_flags: depends_on=2 (sync) / depends_on=1 + is_non_sync (others). */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
// data-offset, sample-duration, sample-size, sample-flags, sample-composition-time-offset
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;

/** One fragment (moof + mdat); tracks with no samples are left out. */
export function buildFragment(sequence: number, runs: readonly Mp4TrackRun[]): Buffer {
  const used = runs.filter((r) => r.samples.length > 0);
  if (!used.length) throw new Mp4Error(Mp4ErrorCode.BAD_INPUT, 'a fragment needs at least one sample');
  // the moof's size does not depend on the data offsets, so build it once with zeros to measure it
  const moofOf = (offsets: number[]) => box('moof', fullBox('mfhd', 0, 0, u32(sequence)), ...used.map((r, i) => traf(r, offsets[i]!)));
  const moofSize = moofOf(used.map(() => 0)).length;
  const offsets: number[] = [];
  let at = moofSize + 8;
  for (const r of used) {
    offsets.push(at);
    for (const s of r.samples) at += s.data.length;
  }
  const data = used.flatMap((r) => r.samples.map((s) => s.data));
  return Buffer.concat([moofOf(offsets), box('mdat', ...data)]);
}

function traf(run: Mp4TrackRun, dataOffset: number): Buffer {
  const entries = Buffer.alloc(16 * run.samples.length);
  run.samples.forEach((s, i) => {
    entries.writeUInt32BE(Math.max(0, Math.round(s.duration)), 16 * i);
    entries.writeUInt32BE(s.data.length, 16 * i + 4);
    entries.writeUInt32BE(s.sync ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS, 16 * i + 8);
    entries.writeInt32BE(Math.round(s.compositionOffset ?? 0), 16 * i + 12);
  });
  return box(
    'traf',
    fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(run.trackId)),
    fullBox('tfdt', 1, 0, u64(run.baseDecodeTime)),
    fullBox('trun', 1, TRUN_FLAGS, u32(run.samples.length), i32(dataOffset), entries),
  );
}
