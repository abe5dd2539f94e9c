/**
 * The send path of one outgoing WebRTC track, beside werift's RTCRtpSender.sendRtp (decision 0009).
 *
 * werift's sendRtp costs, per packet and viewer: a header object and its extension list, an NTP
 * time made through a string, a bandwidth-estimator record, werift's generic header serialiser,
 * a Buffer.concat and five chained promises. Here one packet is one Buffer: the 12-byte header
 * written in place and the payload (the same Buffer for every viewer of the stream track)
 * encrypted after it with the session's SRTP keys (`SrtpSealer`, byte for byte what werift's
 * SrtpSession.encrypt makes), then handed to the session's ICE connection. What werift's sender
 * did per packet is done per frame: the NTP/RTP pair and the packet and octet counts its RTCP
 * sender reports carry. NACKs are answered from this sender's own history (RTX when negotiated),
 * PLIs still reach the session through werift's sender.
 *
 * Used only when werift's sender would add no header extension (WHEP sessions negotiate none) and
 * the SRTP profile is one of the two werift offers; otherwise RtpOut keeps werift's sendRtp.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80,
  type GenericNack, type RTCDtlsTransport, type RTCRtpSender,
} from 'werift';

/** Packets kept for NACKs (about 2 s of a 2 Mbit/s stream; werift keeps 128). */
const HISTORY = 1024;
const GCM_TAG = 16;
const CM_TAG = 10;
/** Seconds from 1900 (NTP) to 1970. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/**
 * SRTP protection of RTP packets for one sending SSRC set of a session (RFC 3711 AES-CM with
 * HMAC-SHA1-80, RFC 7714 AEAD AES-128-GCM), from werift's session keys.
 */
export class SrtpSealer {
  private readonly iv: Buffer;
  private readonly roc = Buffer.alloc(4);

  constructor(
    readonly profile: number,
    private readonly key: Buffer,
    private readonly salt: Buffer,
    private readonly authKey: Buffer | null,
  ) {
    if (profile !== ProtectionProfileAeadAes128Gcm && profile !== ProtectionProfileAes128CmHmacSha1_80) throw new Error(`SRTP profile ${profile} is not supported`);
    if (profile === ProtectionProfileAes128CmHmacSha1_80 && !authKey) throw new Error('AES-CM needs its authentication key');
    this.iv = Buffer.alloc(profile === ProtectionProfileAeadAes128Gcm ? 12 : 16);
  }

  /** werift's keys of the session's sending side (null before DTLS is up or for other profiles). */
  static of(dtls: RTCDtlsTransport): SrtpSealer | null {
    const ctx = (dtls as unknown as { srtp?: { localContext?: { profile: number; srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer } } }).srtp?.localContext;
    if (!ctx) return null;
    if (ctx.profile !== ProtectionProfileAeadAes128Gcm && ctx.profile !== ProtectionProfileAes128CmHmacSha1_80) return null;
    return new SrtpSealer(ctx.profile, ctx.srtpSessionKey, ctx.srtpSessionSalt, ctx.srtpSessionAuthTag ?? null);
  }

  /**
   * One SRTP packet: RTP header (version 2, no padding, extension or CSRC) with `index` the
   * packet's 48-bit SRTP index (rollover counter × 65536 + sequence number), then the payload
   * (`prefix` first when given: the original sequence number of an RTX packet), then the tag.
   */
  seal(payloadType: number, marker: boolean, index: number, timestamp: number, ssrc: number, payload: Buffer, prefix?: Buffer): Buffer {
    const gcm = this.profile === ProtectionProfileAeadAes128Gcm;
    const plen = payload.length + (prefix ? prefix.length : 0);
    const out = Buffer.allocUnsafe(12 + plen + (gcm ? GCM_TAG : CM_TAG));
    const seq = index % 0x10000;
    const roc = (index - seq) / 0x10000;
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(timestamp >>> 0, 4);
    out.writeUInt32BE(ssrc >>> 0, 8);
    const iv = this.iv;
    const salt = this.salt;
    iv.fill(0);
    if (gcm) {
      // RFC 7714 §8.1: 00 00 | SSRC | ROC | SEQ, XOR the 12-byte salt
      iv.writeUInt32BE(ssrc >>> 0, 2);
      iv.writeUInt32BE(roc >>> 0, 6);
      iv.writeUInt16BE(seq, 10);
      for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
      const c = createCipheriv('aes-128-gcm', this.key, iv);
      c.setAAD(out.subarray(0, 12));
      let at = 12;
      if (prefix) at += c.update(prefix).copy(out, at);
      at += c.update(payload).copy(out, at);
      c.final();
      c.getAuthTag().copy(out, at);
      return out;
    }
    // RFC 3711 §4.1.1: (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16)
    iv.writeUInt32BE(ssrc >>> 0, 4);
    iv.writeUInt32BE(roc >>> 0, 8);
    iv.writeUInt16BE(seq, 12);
    for (let i = 0; i < 14; i++) iv[i]! ^= salt[i]!;
    const c = createCipheriv('aes-128-ctr', this.key, iv);
    let at = 12;
    if (prefix) at += c.update(prefix).copy(out, at);
    at += c.update(payload).copy(out, at);
    this.roc.writeUInt32BE(roc >>> 0, 0);
    createHmac('sha1', this.authKey!).update(out.subarray(0, at)).update(this.roc).digest().copy(out, at, 0, CM_TAG);
    return out;
  }
}

/** The werift sender fields this path reads and keeps up to date (private in werift's typings). */
interface SenderState {
  readonly ssrc: number;
  readonly rtxSsrc: number;
  codec?: { payloadType: number };
  rtxPayloadType?: number;
  rtxSequenceNumber: number;
  headerExtensions: unknown[];
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  timestamp?: number;
  sequenceNumber?: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  dtlsTransport?: RTCDtlsTransport & { state: string; bytesSent: number; packetsSent: number };
  runRtcp(): Promise<void>;
}

/** werift's ICE connection and nominated pair, as far as transmit() reads them. */
interface IcePair {
  protocol: { type?: string; transport?: { socket?: Socket; closed?: boolean } };
  remoteCandidate: { host: string; port: number };
  packetsSent: number;
  bytesSent: number;
}
interface IceConnection {
  nominated?: IcePair;
  canSendApplicationData(): boolean;
  send(data: Buffer): Promise<void>;
}
interface UdpRoute {
  transport: { socket: Socket; closed?: boolean };
  host: string;
  port: number;
}

/** A UDP pair whose remote is an IP address: its socket and destination (null otherwise). */
function routeOf(pair: IcePair | undefined): UdpRoute | null {
  const transport = pair?.protocol.type === 'stun' ? pair.protocol.transport : undefined;
  if (!pair || !transport?.socket || typeof transport.socket.send !== 'function' || !isIP(pair.remoteCandidate.host)) return null;
  return { transport: transport as UdpRoute['transport'], host: pair.remoteCandidate.host, port: pair.remoteCandidate.port };
}

/** The NTP timestamp (RFC 3550 §4) of a Date.now() value. */
export function ntpTimestamp(ms: number): bigint {
  // every viewer's track asks for the same millisecond many times in a row
  if (ms === lastNtp.ms) return lastNtp.ntp;
  const sec = Math.floor(ms / 1000);
  const frac = Math.floor(((ms - sec * 1000) / 1000) * 0x100000000);
  lastNtp.ms = ms;
  return (lastNtp.ntp = (BigInt(sec + NTP_EPOCH_OFFSET) << 32n) | BigInt(frac));
}
const lastNtp = { ms: -1, ntp: 0n };

/**
 * One track of a session sent through `SrtpSealer`. `packet()` per RTP packet, `frameSent()` after
 * the packets of a frame (sender-report bookkeeping).
 */
export class TrackSender {
  private sealer: SrtpSealer | null = null;
  private srtpOf: unknown = null;
  /** The history ring: payload, marker, timestamp and SRTP index per slot. */
  private readonly hPayload: Array<Buffer | undefined> = new Array(HISTORY);
  private readonly hIndex = new Float64Array(HISTORY).fill(-1);
  private readonly hTs = new Uint32Array(HISTORY);
  private readonly hMarker = new Uint8Array(HISTORY);
  private rtxIndex: number;
  private readonly osn = Buffer.alloc(2);
  private frameOctets = 0;
  private framePackets = 0;
  private lastTs = 0;
  private rtcpStarted = false;
  private routePair: IcePair | undefined = undefined;
  private route: UdpRoute | null = null;
  retransmitted = 0;

  private constructor(private readonly s: SenderState, sender: RTCRtpSender) {
    this.rtxIndex = s.rtxSequenceNumber & 0xffff;
    sender.onGenericNack.subscribe((nack) => this.onNack(nack));
  }

  /** The path for `sender` (`usable` says when werift's own must be used instead). */
  static for(sender: RTCRtpSender): TrackSender {
    return new TrackSender(sender as unknown as SenderState, sender);
  }

  /** False until DTLS is up (packets are dropped, as werift's sendRtp does), and for senders that add header extensions. */
  private ready(): boolean {
    const dtls = this.s.dtlsTransport;
    // header extensions are negotiated with the answer: a sender that adds some stays on werift's path
    if (!dtls || dtls.state !== 'connected' || !this.s.codec || this.s.headerExtensions?.length) return false;
    const srtp = (dtls as unknown as { srtp?: unknown }).srtp;
    if (srtp !== this.srtpOf) {
      this.srtpOf = srtp;
      this.sealer = SrtpSealer.of(dtls);
    }
    return this.sealer !== null;
  }

  /** Whether packets can go out through this path now (else the caller may use werift's). */
  get usable(): boolean {
    return this.ready();
  }

  /** Sends one RTP packet; `index` is its extended sequence number (ROC × 65536 + seq). */
  packet(payload: Buffer, index: number, timestamp: number, marker: boolean): void {
    if (!this.ready()) return;
    const s = this.s;
    const out = this.sealer!.seal(s.codec!.payloadType, marker, index, timestamp, s.ssrc, payload);
    const slot = index % HISTORY;
    this.hPayload[slot] = payload;
    this.hIndex[slot] = index;
    this.hTs[slot] = timestamp >>> 0;
    this.hMarker[slot] = marker ? 1 : 0;
    this.framePackets++;
    this.frameOctets += payload.length;
    this.lastTs = timestamp >>> 0;
    s.sequenceNumber = index % 0x10000;
    this.transmit(out);
  }

  /** After the packets of one frame: what the next RTCP sender report says. */
  frameSent(now = Date.now()): void {
    if (this.framePackets === 0) return;
    const s = this.s;
    s.ntpTimestamp = ntpTimestamp(now);
    s.rtpTimestamp = this.lastTs;
    s.timestamp = this.lastTs;
    s.packetCount = (s.packetCount + this.framePackets) >>> 0;
    s.octetCount += this.frameOctets;
    s.headerBytesSent += 12 * this.framePackets;
    this.framePackets = 0;
    this.frameOctets = 0;
    if (!this.rtcpStarted) {
      this.rtcpStarted = true;
      void s.runRtcp();
    }
  }

  /**
   * Hands a packet to the session's ICE connection. On a UDP pair with an IP address the packet
   * goes to werift's socket for that pair directly (what werift's Connection.send → sendData →
   * UdpTransport.send chain ends in, without its three promises per packet); anything else (ICE-TCP,
   * TURN, a name to resolve) goes through werift's Connection.send.
   */
  private transmit(out: Buffer) {
    const dtls = this.s.dtlsTransport!;
    dtls.bytesSent += out.length;
    dtls.packetsSent++;
    const conn = dtls.iceTransport.connection as unknown as IceConnection;
    const pair = conn.nominated;
    if (pair !== this.routePair) {
      this.routePair = pair;
      this.route = routeOf(pair);
    }
    const route = this.route;
    if (route && !route.transport.closed && conn.canSendApplicationData()) {
      route.transport.socket.send(out, route.port, route.host);
      pair!.packetsSent++;
      pair!.bytesSent += out.length;
      return;
    }
    conn.send(out).catch(() => undefined);
  }

  /** Resends what the browser reports lost, from the history (as RTX when negotiated). */
  private onNack(nack: GenericNack) {
    if (!this.ready()) return;
    const s = this.s;
    for (const seq of nack.lost) {
      const slot = this.slotOf(seq);
      if (slot < 0) continue;
      const payload = this.hPayload[slot]!;
      const index = this.hIndex[slot]!;
      const marker = this.hMarker[slot] === 1;
      let out: Buffer;
      if (s.rtxPayloadType !== undefined) {
        this.osn.writeUInt16BE(index % 0x10000, 0);
        out = this.sealer!.seal(s.rtxPayloadType, marker, this.rtxIndex, this.hTs[slot]!, s.rtxSsrc, payload, this.osn);
        this.rtxIndex++;
        s.rtxSequenceNumber = this.rtxIndex % 0x10000;
      } else {
        out = this.sealer!.seal(s.codec!.payloadType, marker, index, this.hTs[slot]!, s.ssrc, payload);
      }
      this.retransmitted++;
      s.retransmittedPacketsSent++;
      s.retransmittedBytesSent += payload.length;
      s.headerBytesSent += 12;
      this.transmit(out);
    }
  }

  /** The history slot of 16-bit sequence number `seq`, or -1 when it is no longer there (HISTORY divides 65536). */
  private slotOf(seq: number): number {
    const slot = seq % HISTORY;
    const index = this.hIndex[slot]!;
    return index >= 0 && index % 0x10000 === seq ? slot : -1;
  }
}
