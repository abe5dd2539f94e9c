/**
 * bench/media's publisher in a process of its own (so the viewers' load does not disturb its
 * pace): publishes the FLV file BENCH_PUBLISH_FILE to the RTMP targets in BENCH_PUBLISH_TARGETS
 * (JSON), reports { ready } over IPC, exits on SIGTERM, when the parent goes, or when a server
 * drops the connection.
 */
import { loadFlvSource, publishMarked, type RtmpTarget } from './media-publisher.js';

const targets = JSON.parse(process.env.BENCH_PUBLISH_TARGETS ?? '[]') as RtmpTarget[];
const source = loadFlvSource(process.env.BENCH_PUBLISH_FILE!);
try {
  const pub = await publishMarked(source, targets);
  process.send?.({ ready: true });
  const stop = () => {
    pub.stop();
    process.exit(0);
  };
  for (const c of pub.clients) {
    const watch = setInterval(() => {
      if (!c.closed) return;
      process.stderr.write(`publisher: ${c.error}\n`);
      clearInterval(watch);
      process.exit(1);
    }, 500);
  }
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
} catch (err) {
  process.send?.({ error: (err as Error).message });
  process.exit(1);
}
