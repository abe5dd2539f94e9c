import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertBlobKey, type BlobStore, type StoredBlob } from './blob-store.js';

/** Directory under the data directory where the default blob store keeps its files. */
export const BLOB_DIR_NAME = 'blobs';

interface BlobMeta {
  contentType: string;
  size: number;
}

/**
 * Blobs as files under one directory: `<root>/<key>` holds the bytes, `<root>/<key>.meta` the
 * content type. Writes go to a temporary file renamed into place, so a reader never sees half an
 * object. Several processes may share the directory (scale mode with a shared volume).
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    assertBlobKey(key);
    const p = resolve(this.root, ...key.split('/'));
    // the key grammar already forbids escaping; this is a second lock on the door
    if (!p.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return p;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const file = this.path(key);
    await mkdir(dirname(file), { recursive: true });
    const meta: BlobMeta = { contentType, size: bytes.length };
    const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    // meta first: a data file never exists without its meta (a stale meta without data reads as missing)
    await writeFile(`${tmp}.m`, JSON.stringify(meta));
    await rename(`${tmp}.m`, `${file}.meta`);
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }

  async get(key: string): Promise<StoredBlob | null> {
    const file = this.path(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
    let contentType = 'application/octet-stream';
    try {
      const meta = JSON.parse(await readFile(`${file}.meta`, 'utf8')) as Partial<BlobMeta>;
      if (typeof meta.contentType === 'string') contentType = meta.contentType;
    } catch {
      // no meta: serve as octet-stream
    }
    return { bytes, contentType, size: bytes.length };
  }

  async delete(key: string): Promise<void> {
    const file = this.path(key);
    await rm(file, { force: true });
    await rm(`${file}.meta`, { force: true });
  }
}

/** The default blob store of a configuration: `<ARGUS_DATA_DIR>/blobs`. */
export function createBlobStore(config: { dataDir: string }): BlobStore {
  return new LocalBlobStore(join(config.dataDir, BLOB_DIR_NAME));
}
