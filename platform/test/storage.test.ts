import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalBlobStore, createBlobStore, blobKeyProblem, sniffImageType } from '../src/storage/index.js';
import {
  BlobUrlSigner, blobKeyOfPath, publicBaseUrl, signedBlobPath, signedBlobUrl, verifyBlobSignature,
} from '../src/storage/signed-url.js';

const withDir = async (fn: (dir: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-blobs-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('LocalBlobStore', () => {
  it('puts, gets, replaces and deletes blobs with their content type', () =>
    withDir(async (dir) => {
      const store = new LocalBlobStore(dir);
      const bytes = randomBytes(1000);
      await store.put('alarms/ten_1/alm_1/0.jpg', bytes, 'image/jpeg');
      const got = await store.get('alarms/ten_1/alm_1/0.jpg');
      expect(got?.bytes.equals(bytes)).toBe(true);
      expect(got).toMatchObject({ contentType: 'image/jpeg', size: 1000 });
      await store.put('alarms/ten_1/alm_1/0.jpg', Buffer.from('png'), 'image/png');
      expect(await store.get('alarms/ten_1/alm_1/0.jpg')).toMatchObject({ contentType: 'image/png', size: 3 });
      // no temporary files left behind
      expect(readdirSync(join(dir, 'alarms/ten_1/alm_1')).sort()).toEqual(['0.jpg', '0.jpg.meta']);
      expect(await store.get('alarms/ten_1/alm_1/1.jpg')).toBeNull();
      expect(await store.get('alarms/ten_1')).toBeNull(); // a directory is not a blob
      await store.delete('alarms/ten_1/alm_1/0.jpg');
      expect(await store.get('alarms/ten_1/alm_1/0.jpg')).toBeNull();
      await store.delete('alarms/ten_1/alm_1/0.jpg'); // idempotent
    }));

  it('refuses keys that could leave the directory or clash with its own files', () =>
    withDir(async (dir) => {
      const store = new LocalBlobStore(dir);
      for (const key of ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b', '', 'a/b.meta', 'a\\b', 'a/b c', 'x.tmp-1', 'é']) {
        expect(blobKeyProblem(key), key).not.toBeNull();
        await expect(store.put(key, Buffer.from('x'), 'text/plain'), key).rejects.toThrow(/invalid blob key/);
        await expect(store.get(key), key).rejects.toThrow(/invalid blob key/);
      }
      expect(blobKeyProblem('alarms/ten_1/alm_1/0.jpg')).toBeNull();
      expect(blobKeyProblem('a'.repeat(600))).toMatch(/at most/);
    }));

  it('defaults to <data dir>/blobs', () =>
    withDir(async (dir) => {
      const store = createBlobStore({ dataDir: dir });
      await store.put('k', Buffer.from('v'), 'text/plain');
      expect(readdirSync(join(dir, 'blobs'))).toContain('k');
    }));

  it('sniffs JPEG and PNG', () => {
    expect(sniffImageType(Buffer.from('ffd8ffe0', 'hex'))).toBe('image/jpeg');
    expect(sniffImageType(Buffer.from('89504e470d0a1a0a', 'hex'))).toBe('image/png');
    expect(sniffImageType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
  });
});

describe('signed blob URLs', () => {
  const secret = randomBytes(32);
  const now = 1_700_000_000_000;
  const key = 'alarms/ten_1/alm_1/0.jpg';

  it('signs an expiring URL that verifies until it expires', () => {
    const url = new URL(signedBlobUrl('https://argus.example.com/', key, 3600, secret, now));
    expect(url.origin + url.pathname).toBe(`https://argus.example.com/pictures/${key}`);
    expect(url.searchParams.get('exp')).toBe(String(now / 1000 + 3600));
    const path = blobKeyOfPath(url.pathname)!;
    expect(path).toBe(key);
    const check = (at: number) => verifyBlobSignature(path, url.searchParams.get('exp'), url.searchParams.get('sig'), secret, at);
    expect(check(now)).toEqual({ ok: true, key, exp: now / 1000 + 3600 });
    expect(check(now + 3599_000).ok).toBe(true);
    expect(check(now + 3600_000)).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it('refuses tampering: another key, a longer expiry, another secret, garbage', () => {
    const url = new URL(signedBlobUrl('http://h', key, 60, secret, now));
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    expect(verifyBlobSignature('alarms/ten_2/alm_1/0.jpg', exp, sig, secret, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifyBlobSignature(key, String(Number(exp) + 1), sig, secret, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifyBlobSignature(key, exp, sig, randomBytes(32), now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    // an expired URL with a bad signature is a bad signature, not an expiry
    expect(verifyBlobSignature(key, '1', sig, secret, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    for (const [k, e, s] of [[key, null, sig], [key, exp, null], [key, 'soon', sig], [key, exp, 'short'], ['../x', exp, sig]] as const) {
      expect(verifyBlobSignature(k, e, s, secret, now)).toEqual({ ok: false, reason: 'MALFORMED' });
    }
    expect(() => signedBlobUrl('http://h', key, 0, secret)).toThrow(/expiresInSeconds/);
    expect(() => signedBlobPath('../x', 1, secret)).toThrow(/invalid blob key/);
    expect(() => verifyBlobSignature(key, exp, sig, Buffer.alloc(8))).toThrow(/32 bytes/);
    expect(blobKeyOfPath('/pictures/%E0%A4%A')).toBeNull();
    expect(blobKeyOfPath('/other/x')).toBeNull();
  });

  it('derives the public base from GATEWAY_PUBLIC_URL, else the local gateway port', () => {
    expect(publicBaseUrl({ GATEWAY_PUBLIC_URL: 'https://argus.example.com/graphql', GATEWAY_PORT: 4000 })).toBe('https://argus.example.com');
    expect(publicBaseUrl({ GATEWAY_PUBLIC_URL: 'https://argus.example.com/api/graphql/', GATEWAY_PORT: 4000 })).toBe('https://argus.example.com/api');
    expect(publicBaseUrl({ GATEWAY_PUBLIC_URL: 'https://argus.example.com', GATEWAY_PORT: 4000 })).toBe('https://argus.example.com');
    expect(publicBaseUrl({ GATEWAY_PORT: 4123 })).toBe('http://127.0.0.1:4123');
  });

  it('BlobUrlSigner keys itself from the configuration', () => {
    const config = { deriveKey: (p: string) => Buffer.alloc(32, p.length), GATEWAY_PORT: 4000 };
    const signer = BlobUrlSigner.fromConfig(config);
    const url = new URL(signer.url(key, 120, now));
    expect(url.origin).toBe('http://127.0.0.1:4000');
    expect(signer.verify(key, url.searchParams.get('exp'), url.searchParams.get('sig'), now).ok).toBe(true);
    expect(new BlobUrlSigner(randomBytes(32), 'http://x').verify(key, url.searchParams.get('exp'), url.searchParams.get('sig'), now).ok).toBe(false);
  });
});
