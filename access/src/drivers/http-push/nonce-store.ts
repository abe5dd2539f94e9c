/**
 * Digest nonces, the spec's third strategy (§3): a nonce may be reused until it expires (default
 * 1 h), then the server answers 401 with a new nonce and `stale=true`.
 *
 * Nonces are self-describing rather than kept in a table: issue time, random bytes and an HMAC
 * under a key derived from the master key. Every access process of a deployment accepts the
 * nonces of the others, and a restart does not turn every camera's nonce into a failure — a nonce
 * from before a key change is `unknown`, which the server also answers with stale=true when the
 * digest itself was right.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceState = 'valid' | 'expired' | 'unknown';

const TIME_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const TOTAL = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;

export class NonceStore {
  constructor(
    private readonly key: Buffer,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): string {
    const buf = Buffer.alloc(TOTAL);
    buf.writeBigUInt64BE(BigInt(this.now()), 0);
    randomBytes(RANDOM_BYTES).copy(buf, TIME_BYTES);
    this.mac(buf.subarray(0, TIME_BYTES + RANDOM_BYTES)).copy(buf, TIME_BYTES + RANDOM_BYTES);
    return buf.toString('base64');
  }

  check(nonce: string): NonceState {
    const buf = Buffer.from(nonce, 'base64');
    if (buf.length !== TOTAL || buf.toString('base64') !== nonce) return 'unknown';
    const body = buf.subarray(0, TIME_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(this.mac(body), buf.subarray(TIME_BYTES + RANDOM_BYTES))) return 'unknown';
    const issuedAt = Number(buf.readBigUInt64BE(0));
    const age = this.now() - issuedAt;
    if (age < -60_000) return 'unknown'; // issued "in the future": a clock jump; make the device re-challenge
    return age >= this.ttlMs ? 'expired' : 'valid';
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest().subarray(0, MAC_BYTES);
  }
}
