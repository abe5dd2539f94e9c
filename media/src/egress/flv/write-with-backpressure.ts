import type { Writable } from 'node:stream';

/**
 * Writes `bytes`; when the destination's buffer is full, waits for 'drain'. Resolves false when
 * the destination closed or failed instead, so the caller stops.
 */
export function writeWithBackpressure(dest: Writable, bytes: Uint8Array): Promise<boolean> {
  if (dest.destroyed || dest.writableEnded) return Promise.resolve(false);
  if (dest.write(bytes)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      dest.off('drain', onDrain);
      dest.off('close', onClose);
      dest.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    dest.on('drain', onDrain);
    dest.on('close', onClose);
    dest.on('error', onClose);
  });
}
