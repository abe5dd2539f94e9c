/** RTSP publishing (ANNOUNCE/RECORD) is served by the 'rtsp' module of egress/rtsp; these are its parts. */
export { RecordSession } from './record.js';
export { RtpIngest, DtsEstimator, type RtpIngestOptions } from './rtp-ingest.js';
export { ingestTracksFromSdp, type IngestTrack } from './ingest-tracks.js';
