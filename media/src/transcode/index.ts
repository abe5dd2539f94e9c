/**
 * Audio transcoding where a container needs it. HLS (MPEG-TS and fMP4 for browsers) cannot carry
 * G.711 or Opus, and FLV/RTMP cannot carry Opus, so those egresses ask `withAacAudio` for the
 * stream they send: a stream whose audio they cannot carry comes back as a derived stream with the
 * same video and AAC audio (one ffmpeg per source stream, shared by every egress that needs it);
 * any other stream comes back as it is.
 */
import type { MediaContext } from '../media-server.js';
import type { Stream } from '../hub/index.js';
import { AacTranscoder, canTranscodeG711, canTranscodeOpus } from './audio-transcoder.js';
import { AacOpusTranscoder, canTranscodeAac } from './aac-opus-transcoder.js';

export { AacTranscoder, canTranscodeG711, canTranscodeOpus, type TranscoderOptions } from './audio-transcoder.js';
export { AacEncoderProcess, type AacEncoderOptions } from './aac-encoder.js';
export { FfmpegAudioPipe, type FfmpegAudioPipeOptions } from './ffmpeg-audio-pipe.js';
export { AdtsSplitter, type AdtsOut } from './adts-splitter.js';
export { decodeG711, encodeG711, g711ToSamples, ALAW_TO_PCM16, ULAW_TO_PCM16 } from './g711.js';

const transcoders = new WeakMap<Stream, AacTranscoder>();

/**
 * The stream as an egress can send it (see the module comment): `container` 'HLS' takes AAC only,
 * 'FLV' (HTTP-FLV, WS-FLV, RTMP) takes AAC and G.711. Call, then add a reader at once.
 */
export function withAacAudio(ctx: Pick<MediaContext, 'logger'>, stream: Stream, container: 'HLS' | 'FLV' = 'HLS'): Stream {
  const audio = stream.tracks.audio;
  if (stream.closed || !(canTranscodeOpus(audio) || (container === 'HLS' && canTranscodeG711(audio)))) return stream;
  let t = transcoders.get(stream);
  if (!t || t.stopped) {
    t = new AacTranscoder(stream, { logger: ctx.logger });
    transcoders.set(stream, t);
  }
  return t.output;
}

export { AacOpusTranscoder, canTranscodeAac, type OpusTranscoderOptions } from './aac-opus-transcoder.js';
export { OpusEncoderProcess, type OpusEncoderOptions } from './opus-encoder.js';
export { OggSplitter } from './ogg-splitter.js';

const opusTranscoders = new WeakMap<Stream, AacOpusTranscoder>();

/**
 * The Opus audio of a stream whose audio is AAC, as a derived audio-only stream (one ffmpeg per
 * source stream, shared by all WebRTC players); null when the stream has no transcodable AAC.
 * Call, then add a reader at once.
 */
export function opusAudioOf(ctx: Pick<MediaContext, 'logger'>, stream: Stream): Stream | null {
  if (stream.closed || !canTranscodeAac(stream.tracks.audio)) return null;
  let t = opusTranscoders.get(stream);
  if (!t || t.stopped) {
    t = new AacOpusTranscoder(stream, { logger: ctx.logger });
    opusTranscoders.set(stream, t);
  }
  return t.output;
}
