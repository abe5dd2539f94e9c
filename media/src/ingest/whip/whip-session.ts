/**
 * One WHIP publisher (a browser or any WHIP client): a werift peer connection receiving H.264
 * (packetization-mode 1) and Opus, published into the hub at live/<ch>/<stream> like any other
 * ingest. The RTP side reuses the RTSP ingest's RtpIngest: depacketize, unwrap timestamps, take the
 * parameter sets from the stream, and describe the tracks once they are all known.
 *
 * A WebRTC encoder sends a keyframe only when asked, so the session asks (RTCP PLI) every
 * `keyframeIntervalMs`: the GOP cache stays short and new players start at once.
 */
import { keepPayloadTypes, offeredCodecs, parseSdp, pickAudio, pickH264, type SdpSession } from '@argus/protocols';
import { ingestTracksFromSdp } from '../rtsp/ingest-tracks.js';
import type { RTCPeerConnection, RTCRtpTransceiver } from 'werift';
import type { Logger } from '@argus/platform';
import type { Stream } from '../../hub/index.js';
import { RtpIngest } from '../rtsp/rtp-ingest.js';
import {
  AUDIO_CODECS, BadOffer, VIDEO_CODECS, applyOffer, completeAnswer, narrowOffer, newPeerConnection, transceiversOf, watchPeer,
} from '../../egress/webrtc/peer.js';
import { newSessionId, type WebRtcSession } from '../../egress/webrtc/sessions.js';
import type { WebRtcConfig } from '../../egress/webrtc/webrtc-config.js';

export interface WhipSessionOptions {
  config: WebRtcConfig;
  logger: Logger;
  keyframeIntervalMs: number;
}

export class WhipSession implements WebRtcSession {
  readonly id = newSessionId();
  readonly kind = 'whip' as const;
  readonly path: string;
  readonly createdAt = Date.now();
  closed = false;
  private closeListeners: Array<(reason: string) => void> = [];
  private stopWatch: () => void = () => {};
  private keyframeTimer: NodeJS.Timeout | null = null;
  packetsIn = 0;

  private constructor(readonly pc: RTCPeerConnection, readonly stream: Stream, private readonly o: WhipSessionOptions) {
    this.path = stream.path;
  }

  /**
   * Answers `offer` and publishes into `stream` (already taken in the hub; closed with the session).
   * BadOffer when the offer has neither H.264 (packetization-mode 1) nor Opus.
   */
  static async open(stream: Stream, offer: SdpSession, o: WhipSessionOptions): Promise<{ session: WhipSession; answer: string }> {
    let hasVideo = false;
    let hasAudio = false;
    const narrowed = narrowOffer(offer, (m) => {
      const codecs = offeredCodecs(m);
      if (m.type === 'video' && !hasVideo) {
        const c = pickH264(codecs, 66);
        if (!c) return null;
        hasVideo = true;
        return keepPayloadTypes(m, [c]);
      }
      if (m.type === 'audio' && !hasAudio) {
        const c = pickAudio(codecs, 'OPUS') ?? pickAudio(codecs, 'PCMU') ?? pickAudio(codecs, 'PCMA');
        if (!c) return null;
        hasAudio = true;
        return keepPayloadTypes(m, [c]);
      }
      return null;
    });
    if (!hasVideo && !hasAudio) throw new BadOffer('the offer sends neither H.264 (packetization-mode=1) nor Opus/PCMU/PCMA; Argus streams carry H.264/H.265 video');
    const pc = newPeerConnection(o.config, {
      video: [VIDEO_CODECS.H264(), VIDEO_CODECS.RTX()],
      audio: [AUDIO_CODECS.OPUS(), AUDIO_CODECS.PCMU(), AUDIO_CODECS.PCMA()],
    }, { receives: true });
    const session = new WhipSession(pc, stream, o);
    try {
      await applyOffer(pc, narrowed);
      const t = transceiversOf(pc);
      for (const tr of [t.video, t.audio]) tr?.setDirection('recvonly');
      const answer = await completeAnswer(pc, o.config);
      session.start(parseSdp(narrowed), t.video, t.audio);
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
    if (this.keyframeTimer) clearInterval(this.keyframeTimer);
    this.stream.close(reason === 'deleted by the client' ? 'publisher left' : reason);
    void this.pc.close().catch(() => undefined);
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  private start(sdp: SdpSession, video: RTCRtpTransceiver | undefined, audio: RTCRtpTransceiver | undefined) {
    const tracks = ingestTracksFromSdp(sdp).filter((t) => sdp.media[t.index]!.port !== 0);
    const ingest = new RtpIngest(this.stream, tracks);
    const byKind = new Map(tracks.map((t, i) => [t.track.kind, i] as const));
    let videoSsrc: number | undefined;
    for (const [kind, tr] of [['video', video], ['audio', audio]] as const) {
      const index = byKind.get(kind);
      if (!tr || index === undefined) continue;
      tr.receiver.track.onReceiveRtp.subscribe((rtp) => {
        this.packetsIn++;
        if (kind === 'video') videoSsrc = rtp.header.ssrc;
        ingest.receive(index, rtp.serialize());
      });
    }
    if (video && byKind.has('video')) {
      this.keyframeTimer = setInterval(() => {
        if (videoSsrc !== undefined) void video.receiver.sendRtcpPLI(videoSsrc).catch(() => undefined);
      }, this.o.keyframeIntervalMs);
      this.keyframeTimer.unref();
    }
    this.stopWatch = watchPeer(this.pc, this.o.config.iceTimeoutMs, (why) => this.close(why));
  }
}
