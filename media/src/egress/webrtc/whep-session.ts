/**
 * One WHEP viewer: a werift peer connection sending one stream of the hub.
 *
 * Video H.264 (or H.265 when the browser offers it) is passed through; audio Opus, PCMU and PCMA
 * are passed through; AAC is transcoded to Opus (one ffmpeg per stream, shared by its viewers).
 * The viewer reads from its own bounded hub reader: a slow viewer drops its own frames.
 *
 * Start: once DTLS is up, the GOP the reader was pre-filled with goes out as a burst (see
 * rtp-out.ts), so the first picture is the newest one. A picture loss indication (RTCP PLI) replays
 * the current GOP the same way (at most once a second); NACKs are answered from the track's
 * packet history (srtp-out.ts).
 */
import { parseH264Sps, type SdpMedia, type SdpSession, keepPayloadTypes, offeredCodecs, pickAudio, pickH264, pickH265 } from '@argus/protocols';
import type { RTCPeerConnection, RTCRtpTransceiver } from 'werift';
import type { Logger } from '@argus/platform';
import type { MediaFrame, Stream, StreamReader } from '../../hub/index.js';
import { opusAudioOf } from '../../transcode/index.js';
import {
  AUDIO_CODECS, BadOffer, VIDEO_CODECS, applyOffer, completeAnswer, narrowOffer, newPeerConnection, transceiversOf, watchPeer,
} from './peer.js';
import { RtpOut, WEBRTC_RTP, type OutCodec } from './rtp-out.js';
import { newSessionId, type WebRtcSession } from './sessions.js';
import type { WebRtcConfig } from './webrtc-config.js';

/** Audio older than this (ms) before the newest video frame at start is not sent. */
const JOIN_AUDIO_WINDOW_MS = 100;
/** A PLI replays the GOP at most this often (ms). */
const PLI_INTERVAL_MS = 1000;

interface Plan {
  video?: { codec: 'H264' | 'H265'; media: SdpMedia };
  audio?: { codec: 'OPUS' | 'PCMU' | 'PCMA'; transcode: boolean; media: SdpMedia };
}

/** What to send, given the stream's tracks and what the browser offered; BadOffer when nothing fits. */
export function planWhep(stream: Stream, offer: SdpSession): { plan: Plan; sdp: string } {
  const { video, audio } = stream.tracks;
  const plan: Plan = {};
  const sdp = narrowOffer(offer, (m) => {
    const codecs = offeredCodecs(m);
    if (m.type === 'video') {
      if (plan.video || !video) return fallback(m, codecs.filter((c) => c.encoding === 'H264'));
      let chosen;
      if (video.codec === 'H264') {
        let profile: number | undefined;
        try {
          profile = video.parameterSets[0] ? parseH264Sps(video.parameterSets[0]).profileIdc : undefined;
        } catch {
          profile = undefined;
        }
        chosen = pickH264(codecs, profile);
      } else chosen = pickH265(codecs);
      if (!chosen) {
        throw new BadOffer(video.codec === 'H264'
          ? 'the stream is H.264 but the offer has no H.264 with packetization-mode=1'
          : 'the stream is H.265 but the offer has no H.265 (this browser cannot receive it over WebRTC)');
      }
      const media = keepPayloadTypes(m, [chosen]);
      plan.video = { codec: video.codec, media };
      return media;
    }
    if (plan.audio || !audio) return fallback(m, codecs.filter((c) => c.encoding === 'OPUS'));
    let codec: 'OPUS' | 'PCMU' | 'PCMA' | null = null;
    let transcode = false;
    if (audio.codec === 'OPUS') codec = 'OPUS';
    else if ((audio.codec === 'PCMU' || audio.codec === 'PCMA') && audio.sampleRate === 8000 && audio.channels === 1) codec = audio.codec;
    else if (audio.codec === 'AAC') {
      codec = 'OPUS';
      transcode = true;
    }
    const chosen = codec ? pickAudio(codecs, codec) : undefined;
    if (!codec || !chosen) return fallback(m, codecs.filter((c) => c.encoding === 'OPUS'));
    const media = keepPayloadTypes(m, [chosen]);
    plan.audio = { codec, transcode, media };
    return media;
  });
  if (!plan.video && !plan.audio) throw new BadOffer('nothing in the offer can carry this stream (H.264/H.265 video, Opus/PCMU/PCMA audio)');
  return { plan, sdp };
}

/** A section the session will not send on: answered with one codec werift knows, or rejected. */
function fallback(m: SdpMedia, codecs: ReturnType<typeof offeredCodecs>): SdpMedia | null {
  return codecs[0] ? keepPayloadTypes(m, [codecs[0]]) : null;
}

export interface WhepSessionOptions {
  config: WebRtcConfig;
  logger: Logger;
  remote?: string;
  /** Used by tests to force a transport (ICE-TCP only: refuse UDP checks). */
  filterStunResponse?: (protocol: 'udp' | 'tcp') => boolean;
}

export class WhepSession implements WebRtcSession {
  readonly id = newSessionId();
  readonly kind = 'whep' as const;
  readonly path: string;
  readonly createdAt = Date.now();
  closed = false;
  private closeListeners: Array<(reason: string) => void> = [];
  private reader: StreamReader | null = null;
  private audioReader: StreamReader | null = null;
  private audioSource: Stream | null = null;
  private videoOut: RtpOut | null = null;
  private audioOut: RtpOut | null = null;
  private stopWatch: () => void = () => {};
  private pliPending = false;
  private lastReplay = 0;
  /** Video frames up to this dts were sent in a burst; the reader's copies are skipped. */
  private skipVideoUntil = Number.NEGATIVE_INFINITY;
  private skipAudioBefore = Number.NEGATIVE_INFINITY;
  connectedAt: number | null = null;
  pliCount = 0;
  replays = 0;

  private constructor(
    readonly pc: RTCPeerConnection,
    readonly stream: Stream,
    private readonly plan: Plan,
    private readonly o: WhepSessionOptions,
  ) {
    this.path = stream.path;
  }

  /** Answers `offer` for `stream`; the session starts sending once the browser connects. */
  static async open(stream: Stream, offer: SdpSession, o: WhepSessionOptions): Promise<{ session: WhepSession; answer: string }> {
    const { plan, sdp } = planWhep(stream, offer);
    const pc = newPeerConnection(o.config, {
      video: [VIDEO_CODECS.H264(), VIDEO_CODECS.H265(), VIDEO_CODECS.RTX()],
      audio: [AUDIO_CODECS.OPUS(), AUDIO_CODECS.PCMU(), AUDIO_CODECS.PCMA()],
    }, { ...(o.filterStunResponse ? { filterStunResponse: o.filterStunResponse } : {}) });
    const session = new WhepSession(pc, stream, plan, o);
    try {
      await applyOffer(pc, sdp);
      const t = transceiversOf(pc);
      for (const tr of [t.video, t.audio]) tr?.setDirection('sendonly');
      const answer = await completeAnswer(pc, o.config);
      session.start(t.video, t.audio);
      return { session, answer };
    } catch (err) {
      session.close('offer failed');
      throw err;
    }
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener('closed');
    else this.closeListeners.push(listener);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWatch();
    this.reader?.close();
    this.audioReader?.close();
    void this.pc.close().catch(() => undefined);
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  stats() {
    return {
      id: this.id,
      path: this.path,
      connectedAt: this.connectedAt,
      video: this.videoOut ? { codec: this.videoOut.codec, frames: this.videoOut.frames, packets: this.videoOut.packets, bytes: this.videoOut.bytes, retransmitted: this.videoOut.retransmitted } : null,
      audio: this.audioOut ? { codec: this.audioOut.codec, frames: this.audioOut.frames, packets: this.audioOut.packets, bytes: this.audioOut.bytes } : null,
      dropped: (this.reader?.dropped ?? 0) + (this.audioReader?.dropped ?? 0),
      pli: this.pliCount,
      replays: this.replays,
    };
  }

  private start(video: RTCRtpTransceiver | undefined, audio: RTCRtpTransceiver | undefined) {
    const { plan, stream } = this;
    if (plan.video && video) {
      this.videoOut = new RtpOut(video.sender, plan.video.codec as OutCodec);
      video.sender.onPictureLossIndication.subscribe(() => {
        this.pliCount++;
        this.pliPending = true;
      });
    }
    let audioSource: Stream | null = null;
    if (plan.audio && audio) {
      audioSource = plan.audio.transcode ? opusAudioOf({ logger: this.o.logger }, stream) : stream;
      if (audioSource) this.audioOut = new RtpOut(audio.sender, plan.audio.codec, stream.tracks.audio?.channels ?? 1);
    }
    // readers first (the GOP cache pre-fills the video reader), then wait for the browser
    // payloads are made once per frame for every WebRTC viewer of the stream (WEBRTC_RTP)
    this.reader = stream.addReader('WEBRTC', this.o.remote, { formats: [WEBRTC_RTP] });
    if (audioSource && audioSource !== stream) this.audioReader = audioSource.addReader('WEBRTC', this.o.remote, { formats: [WEBRTC_RTP] });
    this.audioSource = audioSource;
    this.stopWatch = watchPeer(this.pc, this.o.config.iceTimeoutMs, (why) => this.close(why));
    void this.run();
  }

  private async run() {
    try {
      if (!(await this.connected())) return;
      this.connectedAt = this.lastReplay = Date.now();
      // what the reader holds now is history: it goes out as one burst
      const gop = this.stream.currentGop();
      let newestVideo = Number.NEGATIVE_INFINITY;
      let videoFrames = 0;
      for (const f of gop) if (f.kind === 'video') {
        newestVideo = Math.max(newestVideo, f.dts);
        videoFrames++;
      }
      if (videoFrames) {
        this.videoOut?.primeBurst(newestVideo, videoFrames);
        this.skipAudioBefore = newestVideo - JOIN_AUDIO_WINDOW_MS;
      }
      const burstUntil = newestVideo;
      if (this.audioReader) void this.pumpAudio(this.audioReader);
      for await (const frame of this.reader!) {
        if (this.closed) break;
        if (frame.kind === 'video') {
          if (this.pliPending) this.replay();
          if (frame.dts <= this.skipVideoUntil) continue;
          this.videoOut?.send(frame, { burst: frame.dts <= burstUntil, payloads: this.stream.encoded(WEBRTC_RTP, frame) });
        } else if (!this.audioReader && this.audioOut && frame.dts >= this.skipAudioBefore) {
          this.audioOut.send(frame, { payloads: this.stream.encoded(WEBRTC_RTP, frame) });
        }
      }
    } catch (err) {
      this.o.logger.warn({ err, path: this.path }, 'WHEP session failed');
    } finally {
      this.close(this.stream.closed ? 'stream ended' : 'reader closed');
    }
  }

  private async pumpAudio(reader: StreamReader) {
    for await (const frame of reader) {
      if (this.closed) break;
      if (frame.kind === 'audio' && frame.dts >= this.skipAudioBefore) this.audioOut?.send(frame, { payloads: this.audioSource!.encoded(WEBRTC_RTP, frame) });
    }
  }

  /** Replays the current GOP (a picture loss: the decoder needs a keyframe and what follows it). */
  private replay() {
    this.pliPending = false;
    const now = Date.now();
    if (now - this.lastReplay < PLI_INTERVAL_MS || !this.videoOut) return;
    const frames: MediaFrame[] = this.stream.currentGop().filter((f) => f.kind === 'video');
    if (!frames.length) return;
    this.lastReplay = now;
    this.replays++;
    for (const f of frames) this.videoOut.send(f, { burst: true, payloads: this.stream.encoded(WEBRTC_RTP, f) });
    this.skipVideoUntil = frames[frames.length - 1]!.dts;
  }

  /** Resolves true once DTLS is up, false if the session ended first. */
  private connected(): Promise<boolean> {
    if (this.pc.connectionState === 'connected') return Promise.resolve(true);
    return new Promise((resolve) => {
      const sub = this.pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') finish(true);
        else if (s === 'failed' || s === 'closed') finish(false);
      });
      this.onClose(() => finish(false));
      function finish(ok: boolean) {
        sub.unSubscribe();
        resolve(ok);
      }
    });
  }
}
