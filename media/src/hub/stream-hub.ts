import { EventEmitter } from 'node:events';
import { Stream, type PublisherInfo } from './stream.js';
import type { ReaderLimits } from './reader.js';

export class StreamBusyError extends Error {
  constructor(readonly path: string) {
    super(`stream ${path} already has a publisher`);
  }
}

export class StreamTimeoutError extends Error {
  constructor(readonly path: string, ms: number) {
    super(`stream ${path} did not start within ${ms} ms`);
  }
}

/**
 * All live streams of this media node, by path. Ingests publish into it; egresses read from it.
 * Events: 'publish' (stream), 'ready' (stream), 'unpublish' (stream, reason), 'reader' (stream, {joined, reader}).
 */
export class StreamHub extends EventEmitter {
  private streams = new Map<string, Stream>();

  constructor(private readonly readerLimits?: ReaderLimits) {
    super();
    this.setMaxListeners(0);
  }

  /** Starts a stream at `path`; StreamBusyError when one is already published there. */
  publish(path: string, publisher: PublisherInfo): Stream {
    if (this.streams.has(path)) throw new StreamBusyError(path);
    const stream = new Stream(path, publisher, this.readerLimits);
    this.streams.set(path, stream);
    stream.once('ready', () => this.emit('ready', stream));
    stream.on('reader', (e) => this.emit('reader', stream, e));
    stream.once('closed', (reason) => {
      if (this.streams.get(path) === stream) this.streams.delete(path);
      this.emit('unpublish', stream, reason);
    });
    this.emit('publish', stream);
    return stream;
  }

  get(path: string): Stream | undefined {
    return this.streams.get(path);
  }

  list(): Stream[] {
    return [...this.streams.values()];
  }

  /** Resolves with the stream once it is ready (tracks and a keyframe), or rejects after `timeoutMs`. */
  waitReady(path: string, timeoutMs: number): Promise<Stream> {
    const existing = this.streams.get(path);
    if (existing?.ready) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onReady = (s: Stream) => {
        if (s.path !== path) return;
        cleanup();
        resolve(s);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new StreamTimeoutError(path, timeoutMs));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('ready', onReady);
      };
      this.on('ready', onReady);
    });
  }

  closeAll(reason = 'server shutting down'): void {
    for (const s of [...this.streams.values()]) s.close(reason);
  }
}
