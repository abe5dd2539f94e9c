import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Random bytes for ids, refilled 256 ids at a time (one call into the CSPRNG instead of one per id). */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** Time-ordered id: 10 chars of milliseconds then 16 random chars, so ids sort by creation. */
export function newId(prefix: string): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[pool[poolOffset + i]! & 31];
  poolOffset += 16;
  return `${prefix}_${time}${tail}`;
}

/** Random url-safe secret of `bytes` bytes. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
