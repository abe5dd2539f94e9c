/**
 * Blob storage for binary objects Argus keeps outside its databases (alarm pictures, snapshots).
 *
 * Keys are relative, slash-separated paths of safe segments, e.g. `alarms/ten_1/alm_2/0.jpg`:
 * each segment is 1–128 characters of letters, digits, `.`, `_` and `-`, not `.` or `..`.
 * The local-directory implementation (LocalBlobStore) is the default; in scale mode every process
 * that reads or writes blobs (the events service writes alarm pictures, the gateway serves them)
 * must see the same directory (a shared volume). Object storage (S3 and alike) is a later adapter
 * of this same interface.
 */
export interface StoredBlob {
  bytes: Buffer;
  contentType: string;
  size: number;
}

export interface BlobStore {
  /** Stores (or replaces) the object at `key`. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The object at `key`, or null when there is none. */
  get(key: string): Promise<StoredBlob | null>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}

export const MAX_BLOB_KEY_LENGTH = 512;
const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;

/** Why `key` is not a valid blob key, or null when it is. */
export function blobKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'must be a non-empty string';
  if (key.length > MAX_BLOB_KEY_LENGTH) return `must be at most ${MAX_BLOB_KEY_LENGTH} characters`;
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) return `segment "${segment.slice(0, 40)}" must be 1-128 letters, digits, ".", "_" or "-"`;
    if (segment === '.' || segment === '..') return 'must not contain "." or ".." segments';
    if (segment.endsWith('.meta')) return 'segments must not end with ".meta" (reserved)';
    if (segment.includes('.tmp-')) return 'segments must not contain ".tmp-" (reserved)';
  }
  return null;
}

export function isBlobKey(key: unknown): key is string {
  return blobKeyProblem(key) === null;
}

export function assertBlobKey(key: string): void {
  const problem = blobKeyProblem(key);
  if (problem) throw new Error(`invalid blob key ${JSON.stringify(key.slice(0, 80))}: ${problem}`);
}

/** Content type a picture's first bytes announce: JPEG or PNG, else null. */
export function sniffImageType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}
