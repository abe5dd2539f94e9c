/**
 * A lean simulated ISAPI two-way audio device for bench/talk (test/sim/isapi-two-way-audio.ts is
 * the full one, with Digest): any number of channels, no authentication, G.711 µ-law. It plays
 * what PUT audioData brings — finding where each tone burst starts, stamped with the time its body
 * arrived — and its microphone streams a 440 Hz tone on GET audioData, so the talk path converts
 * audio both ways.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ToneGenerator } from '@argus/media';
import { encodeG711, g711ToSamples } from '@argus/media/transcode/g711';

/** A sample louder than this after at least QUIET_SAMPLES of quiet starts a burst. */
const ONSET_LEVEL = 2000;
const QUIET_SAMPLES = 800; // 100 ms at 8 kHz

export interface BenchDevice {
  url: string;
  /** Burst onsets heard per channel: Date.now() when the body holding the burst's first loud sample arrived. */
  onsets: Map<number, number[]>;
  bytesIn: number;
  stop(): Promise<void>;
}

export async function startBenchDevice(): Promise<BenchDevice> {
  const onsets = new Map<number, number[]>();
  const quiet = new Map<number, number>();
  const mics = new Set<ServerResponse>();
  const state = { bytesIn: 0 };
  const ok = (res: ServerResponse, xml: string) => {
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  };
  const server: Server = createServer((req, res) => {
    const m = /^\/ISAPI\/System\/TwoWayAudio\/channels\/(\d+)(?:\/(open|close|audioData))?/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const ch = Number(m[1]);
    const action = m[2];
    if (!action) return ok(res, `<TwoWayAudioChannel><id>${ch}</id><enabled>true</enabled><audioCompressionType>G.711ulaw</audioCompressionType></TwoWayAudioChannel>`);
    if (action === 'open') return req.resume().on('end', () => ok(res, `<TwoWayAudioSession><sessionId>${ch}</sessionId></TwoWayAudioSession>`));
    if (action === 'close') return req.resume().on('end', () => ok(res, '<ResponseStatus><statusCode>1</statusCode></ResponseStatus>'));
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'audio/basic' });
      const gen = new ToneGenerator(440, 8000);
      const timer = setInterval(() => res.write(encodeG711('PCMU', gen.next(160))), 20);
      mics.add(res);
      res.once('close', () => (clearInterval(timer), mics.delete(res)));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks);
      state.bytesIn += body.length;
      const samples = g711ToSamples('PCMU', body);
      let q = quiet.get(ch) ?? QUIET_SAMPLES;
      for (let i = 0; i < samples.length; i++) {
        if (Math.abs(samples[i]!) > ONSET_LEVEL) {
          if (q >= QUIET_SAMPLES) {
            const list = onsets.get(ch) ?? [];
            list.push(at);
            onsets.set(ch, list);
          }
          q = 0;
        } else q++;
      }
      quiet.set(ch, q);
      ok(res, '<ResponseStatus><statusCode>1</statusCode></ResponseStatus>');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    onsets,
    get bytesIn() {
      return state.bytesIn;
    },
    async stop() {
      for (const m of mics) m.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
