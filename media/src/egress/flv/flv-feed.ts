import {
  FlvTagType, audioFrameBody, audioSequenceBody, metadataBody, videoFrameBody, videoSequenceBody, type FlvTag,
} from '@argus/protocols';
import type { AudioTrack, Stream, StreamReader, VideoTrack } from '../../hub/index.js';

/**
 * The FLV tags one viewer gets (FLV over HTTP/WebSocket, RTMP play): onMetaData, the sequence
 * headers, then the reader's frames with timestamps starting at 0. Sequence headers are sent
 * again when the publisher changes its parameter sets. Ends when the reader closes.
 */
export async function* flvFeed(stream: Stream, reader: StreamReader): AsyncGenerator<FlvTag> {
  let sentVideo: VideoTrack | undefined;
  let sentAudio: AudioTrack | undefined;
  let base: number | null = null;
  yield { type: FlvTagType.SCRIPT, timestamp: 0, data: metadataBody(stream.tracks) };
  for (const tag of sequenceHeaders(stream, 0)) yield tag;
  sentVideo = stream.tracks.video;
  sentAudio = stream.tracks.audio;

  for await (const frame of reader) {
    base ??= frame.dts;
    const timestamp = Math.max(0, Math.round(frame.dts - base)) >>> 0;
    const { video, audio } = stream.tracks;
    if (frame.kind === 'video') {
      if (!video || (video.codec !== 'H264' && video.codec !== 'H265')) continue;
      if (video !== sentVideo) {
        const seq = videoSequenceBody(video);
        if (seq) yield { type: FlvTagType.VIDEO, timestamp, data: seq };
        sentVideo = video;
      }
      yield { type: FlvTagType.VIDEO, timestamp, data: videoFrameBody(frame, video.codec) };
    } else {
      if (!audio) continue;
      if (audio !== sentAudio) {
        const seq = audioSequenceBody(audio);
        if (seq) yield { type: FlvTagType.AUDIO, timestamp, data: seq };
        sentAudio = audio;
      }
      const body = audioFrameBody(frame, audio);
      if (body) yield { type: FlvTagType.AUDIO, timestamp, data: body };
    }
  }
}

function sequenceHeaders(stream: Stream, timestamp: number): FlvTag[] {
  const tags: FlvTag[] = [];
  const { video, audio } = stream.tracks;
  const v = video ? videoSequenceBody(video) : null;
  if (v) tags.push({ type: FlvTagType.VIDEO, timestamp, data: v });
  const a = audio ? audioSequenceBody(audio) : null;
  if (a) tags.push({ type: FlvTagType.AUDIO, timestamp, data: a });
  return tags;
}

/** FLV header flags for a stream's tracks. */
export function flvHeaderFlags(stream: Stream): { hasAudio: boolean; hasVideo: boolean } {
  // FLV carries AAC and G.711; a stream with other audio (Opus from WebRTC) goes out as video only
  const audio = stream.tracks.audio?.codec;
  return { hasAudio: audio === 'AAC' || audio === 'PCMA' || audio === 'PCMU', hasVideo: !!stream.tracks.video };
}
