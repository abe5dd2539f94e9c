/**
 * Browser talk over WebRTC: one send-receive audio session joining a browser's microphone to a
 * `TalkLeg`. The browser offers audio (sendrecv); the answer picks the leg's uplink codec when the
 * browser offers it (PCMU/PCMA: device-native, nothing to transcode) and Opus otherwise.
 *
 *   microphone → RTP → leg.send(frame)             (one TalkAudioFrame per RTP packet)
 *   leg.onDeviceAudio(frame) → RTP → the browser   (frames in the negotiated codec; others are counted and dropped,
 *                                                   the leg's opener transcodes)
 *
 * The session ends when either side ends: the browser (DELETE, ICE failure, silence for the ICE
 * timeout) closes the leg; the leg closing (device gone, take-over) closes the peer connection.
 */
import { keepPayloadTypes, offeredCodecs, pickAudio, type OfferedCodec } from '@argus/protocols';
import type { RTCPeerConnection } from 'werift';
import type { Logger } from '@argus/platform';
import type { TalkAudioFrame, TalkCodec, TalkLeg } from '../../talk/talk-leg.js';
import {
  AUDIO_CODECS, BadOffer, applyOffer, checkOffer, completeAnswer, narrowOffer, newPeerConnection, transceiversOf, watchPeer,
} from './peer.js';
import { RtpOut } from './rtp-out.js';
import { newSessionId, type WebRtcSession, type WebRtcSessions } from './sessions.js';
import type { WebRtcConfig } from './webrtc-config.js';

type RtcTalkCodec = 'OPUS' | 'PCMU' | 'PCMA';

export interface WebRtcTalkOptions {
  config: WebRtcConfig;
  logger: Logger;
  /** Registers the session (PATCH/DELETE by id, session counts); its path is `talk/<leg session id>`. */
  sessions?: WebRtcSessions;
}

export interface WebRtcTalkHandle {
  readonly session: WebRtcTalkSession;
  /** The SDP answer for the browser. */
  readonly answer: string;
}

/**
 * Answers a browser's talk offer for `leg`. BadOffer (reason for a 400) when the offer has no
 * send-receive audio in a codec WebRTC can carry both ways.
 */
export async function openWebRtcTalk(offerSdp: string, leg: TalkLeg, o: WebRtcTalkOptions): Promise<WebRtcTalkHandle> {
  const offer = checkOffer(offerSdp);
  let chosen: OfferedCodec | undefined;
  let codec: RtcTalkCodec | undefined;
  const sdp = narrowOffer(offer, (m) => {
    if (m.type !== 'audio' || chosen) return null;
    const codecs = offeredCodecs(m);
    const preferred: RtcTalkCodec[] = leg.uplinkCodec === 'PCMU' || leg.uplinkCodec === 'PCMA' ? [leg.uplinkCodec, 'OPUS'] : ['OPUS', 'PCMU', 'PCMA'];
    for (const c of preferred) {
      chosen = pickAudio(codecs, c);
      if (chosen) {
        codec = c;
        break;
      }
    }
    return chosen ? keepPayloadTypes(m, [chosen]) : null;
  });
  if (!chosen || !codec) throw new BadOffer('the offer has no audio section with Opus, PCMU or PCMA');
  const pc = newPeerConnection(o.config, { audio: [AUDIO_CODECS.OPUS(), AUDIO_CODECS.PCMU(), AUDIO_CODECS.PCMA()], video: [] }, { receives: true });
  const session = new WebRtcTalkSession(pc, leg, codec, o);
  try {
    await applyOffer(pc, sdp);
    const { audio } = transceiversOf(pc);
    if (!audio) throw new BadOffer('the offer has no usable audio section');
    audio.setDirection('sendrecv');
    const answer = await completeAnswer(pc, o.config);
    session.start(audio);
    o.sessions?.add(session);
    return { session, answer };
  } catch (err) {
    session.close('offer failed');
    throw err;
  }
}

export class WebRtcTalkSession implements WebRtcSession {
  readonly id = newSessionId();
  readonly kind = 'talk' as const;
  readonly path: string;
  readonly createdAt = Date.now();
  closed = false;
  private closeListeners: Array<(reason: string) => void> = [];
  private stops: Array<() => void> = [];
  /** Microphone frames handed to the leg. */
  framesUp = 0;
  /** Device frames sent to the browser. */
  framesDown = 0;
  /** Device frames in another codec than the negotiated one (dropped). */
  framesDownDropped = 0;

  constructor(readonly pc: RTCPeerConnection, readonly leg: TalkLeg, readonly codec: RtcTalkCodec, private readonly o: WebRtcTalkOptions) {
    this.path = `talk/${leg.sessionId}`;
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener('closed');
    else this.closeListeners.push(listener);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.stops.splice(0)) s();
    this.leg.close(reason);
    void this.pc.close().catch(() => undefined);
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  /** @internal */
  start(audio: ReturnType<typeof transceiversOf>['audio'] & object) {
    const rate = this.codec === 'OPUS' ? 48000 : 8000;
    const talkCodec: TalkCodec = this.codec;
    let first: { ts: number; at: number } | null = null;
    const up = audio.receiver.track.onReceiveRtp.subscribe((rtp) => {
      if (this.closed || rtp.payload.length === 0) return;
      // RTP time → ms on the sender's clock (anchored at the first packet's arrival)
      first ??= { ts: rtp.header.timestamp, at: Date.now() };
      const elapsed = ((rtp.header.timestamp - first.ts) >>> 0) / rate;
      const frame: TalkAudioFrame = {
        codec: talkCodec,
        sampleRate: rate,
        channels: this.codec === 'OPUS' && rtp.payload[0]! & 0x04 ? 2 : 1,
        payload: Buffer.from(rtp.payload),
        timestamp: first.at + elapsed * 1000,
      };
      this.framesUp++;
      this.leg.send(frame);
    });
    this.stops.push(() => up.unSubscribe());
    const out = new RtpOut(audio.sender, this.codec);
    this.stops.push(this.leg.onDeviceAudio((frame) => {
      if (this.closed) return;
      if (frame.codec !== this.codec) {
        this.framesDownDropped++;
        return;
      }
      this.framesDown++;
      out.send({ kind: 'audio', dts: frame.timestamp, pts: frame.timestamp, keyframe: true, units: [frame.payload] });
    }));
    this.leg.onClose((reason) => this.close(`talk leg closed: ${reason}`));
    this.stops.push(watchPeer(this.pc, this.o.config.iceTimeoutMs, (why) => this.close(why)));
  }
}
