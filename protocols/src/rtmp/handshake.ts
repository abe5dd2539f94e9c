import { randomBytes } from 'node:crypto';
import { RtmpError, RtmpErrorCode } from './errors.js';

/** Size of C1/C2/S1/S2. */
export const RTMP_HANDSHAKE_SIZE = 1536;
export const RTMP_VERSION = 3;

export interface HandshakeStep {
  /** Bytes to send to the peer now, if any. */
  reply?: Buffer;
  /** The handshake is complete; `rest` holds bytes that already belong to the chunk stream. */
  done: boolean;
  rest: Buffer;
}

/**
 * Server side of the simple handshake: C0+C1 in, S0+S1+S2 out (S2 echoes C1), C2 in.
 * Clients that use the digest (FP9) handshake accept this too: S1 carries version bytes 0, which
 * tells them not to verify a server digest, and S2 echoes their C1.
 */
export class RtmpServerHandshake {
  private buffered = Buffer.alloc(0);
  private stage: 'c0c1' | 'c2' | 'done' = 'c0c1';

  constructor(private readonly now: () => number = () => Date.now()) {}

  push(data: Uint8Array): HandshakeStep {
    if (this.stage === 'done') return { done: true, rest: Buffer.from(data) };
    this.buffered = Buffer.concat([this.buffered, data]);
    let reply: Buffer | undefined;
    if (this.stage === 'c0c1') {
      if (this.buffered.length >= 1 && this.buffered[0] !== RTMP_VERSION) {
        throw new RtmpError(RtmpErrorCode.HANDSHAKE, `RTMP version ${this.buffered[0]} is not supported`);
      }
      if (this.buffered.length < 1 + RTMP_HANDSHAKE_SIZE) return { done: false, rest: Buffer.alloc(0) };
      const c1 = this.buffered.subarray(1, 1 + RTMP_HANDSHAKE_SIZE);
      const s1 = randomBytes(RTMP_HANDSHAKE_SIZE);
      s1.writeUInt32BE(this.now() >>> 0, 0);
      s1.writeUInt32BE(0, 4);
      reply = Buffer.concat([Buffer.from([RTMP_VERSION]), s1, c1]);
      this.buffered = this.buffered.subarray(1 + RTMP_HANDSHAKE_SIZE);
      this.stage = 'c2';
    }
    if (this.buffered.length < RTMP_HANDSHAKE_SIZE) return { reply, done: false, rest: Buffer.alloc(0) };
    const rest = Buffer.from(this.buffered.subarray(RTMP_HANDSHAKE_SIZE));
    this.buffered = Buffer.alloc(0);
    this.stage = 'done';
    return { reply, done: true, rest };
  }
}

/** Client side of the simple handshake (for tests and pulling from RTMP servers). */
export class RtmpClientHandshake {
  private buffered = Buffer.alloc(0);
  private done = false;

  /** C0+C1, to send first. */
  start(): Buffer {
    const c1 = randomBytes(RTMP_HANDSHAKE_SIZE);
    c1.writeUInt32BE(0, 0);
    c1.writeUInt32BE(0, 4);
    return Buffer.concat([Buffer.from([RTMP_VERSION]), c1]);
  }

  /** Feeds S0+S1+S2; replies C2 (echo of S1) once they are all in. */
  push(data: Uint8Array): HandshakeStep {
    if (this.done) return { done: true, rest: Buffer.from(data) };
    this.buffered = Buffer.concat([this.buffered, data]);
    if (this.buffered.length >= 1 && this.buffered[0] !== RTMP_VERSION) {
      throw new RtmpError(RtmpErrorCode.HANDSHAKE, `RTMP version ${this.buffered[0]} is not supported`);
    }
    const need = 1 + 2 * RTMP_HANDSHAKE_SIZE;
    if (this.buffered.length < need) return { done: false, rest: Buffer.alloc(0) };
    const s1 = this.buffered.subarray(1, 1 + RTMP_HANDSHAKE_SIZE);
    const rest = Buffer.from(this.buffered.subarray(need));
    this.done = true;
    this.buffered = Buffer.alloc(0);
    return { reply: Buffer.from(s1), done: true, rest };
  }
}
