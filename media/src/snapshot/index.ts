export { Snapshotter, type SnapshotImage, type SnapshotterOptions } from './snapshotter.js';
export { SnapshotService, INTERNAL_SNAPSHOT_PATH, SNAPSHOT_RETENTION_SECONDS, type SnapshotAnswer, type SnapshotServiceOptions } from './snapshot-service.js';
export { encodeJpeg, SnapshotEncodeError, type JpegEncodeOptions } from './ffmpeg-jpeg.js';
export { keyframeAnnexB } from './keyframe.js';
export { isJpeg, jpegSize } from './jpeg.js';
