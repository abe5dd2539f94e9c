/**
 * Fragmented MP4 for LL-HLS (and anything else that wants CMAF-style fMP4): the init segment
 * (ftyp + moov) and media fragments (moof + mdat), plus a box reader for checks.
 */
export { Mp4Error, Mp4ErrorCode } from './errors.js';
export { buildInitSegment, type Mp4Track, type Mp4VideoTrack, type Mp4AudioTrack } from './init.js';
export { buildFragment, SYNC_SAMPLE_FLAGS, NON_SYNC_SAMPLE_FLAGS, type Mp4Sample, type Mp4TrackRun } from './fragment.js';
export { parseBoxes, findBoxes, readFragment, type Mp4Box, type Mp4FragmentInfo } from './parse.js';
