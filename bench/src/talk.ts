import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, TalkTokenCodec, buildTalkUrl, talkRateSupported, type TalkCodecName } from '@argus/platform';
import { ToneGenerator, samplesToL16, type AudioFormat } from '@argus/media';
import { encodeG711 } from '@argus/media/transcode/g711';
import { childrenOf, cpuSeconds, hostCpu, rssMB } from './proc.js';
import { percentile, report, round, type Row } from './report.js';
import { startBenchDevice } from './talk-device.js';
import { BenchTalker } from './talk-talker.js';

/**
 * bench/talk: concurrent talk sessions with transcoding. A media node runs alone in a child process
 * (talk-node-child.ts: RTSP server + talk module, device legs through the real ISAPI two-way audio
 * driver); N talkers in this process speak RTSP with an ONVIF backchannel, each sending 20 ms
 * frames in the talker codec (default L16 16 kHz) — silence with a 60 ms 1 kHz burst every
 * 500 ms — to a simulated device that plays G.711 µ-law 8 kHz and streams its microphone back, so
 * Argus resamples and transcodes both ways in every session.
 *
 * Reported per N: sessions up, bursts heard at the device, the added delay talker → device (from
 * the write of a burst's first frame to the arrival of the PUT audioData holding its first loud
 * sample; everything runs on loopback, so this is Argus's processing, the driver's HTTP requests
 * and the event loops), the node's CPU per session, its memory, and frames coming back.
 *   npm run bench -- talk [--sessions 10,50,100] [--seconds 15] [--codec L16|PCMU|PCMA] [--rate 16000]
 */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sessions: { type: 'string', default: '10,50,100' },
      seconds: { type: 'string', default: '15' },
      codec: { type: 'string', default: 'L16' },
      rate: { type: 'string', default: '16000' },
    },
  });
  const counts = values.sessions.split(',').map(Number).filter((n) => n > 0);
  const seconds = Number(values.seconds);
  const codec = values.codec.toUpperCase() as TalkCodecName;
  const rate = Number(values.rate);
  if (!talkRateSupported(codec, rate) || !['L16', 'PCMU', 'PCMA'].includes(codec)) throw new Error(`--codec ${codec} --rate ${rate}: use L16 (8000 – 48000), PCMU or PCMA (8000)`);

  const idle0 = hostCpu();
  await sleep(2000);
  const idle1 = hostCpu();
  const backgroundHostCpu = round(((idle1.busy - idle0.busy) / (idle1.total - idle0.total)) * 100 * cpus().length, 0);
  if (backgroundHostCpu > 15) process.stderr.write(`warning: the machine is already ${backgroundHostCpu} % busy (of ${cpus().length * 100} %) before the benchmark starts\n`);

  const dir = await mkdtemp(join(tmpdir(), 'bench-talk-'));
  const masterKey = randomBytes(32).toString('base64');
  const device = await startBenchDevice();
  let node: ChildProcess | null = null;
  const onSignal = () => node?.kill('SIGKILL');
  process.once('SIGINT', onSignal);
  const rows: Row[] = [];
  try {
    node = fork(join(dirname(fileURLToPath(import.meta.url)), 'talk-node-child.js'), [], {
      env: { ...process.env, ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: dir, BENCH_TALK_DEVICE_URL: device.url, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ports = await new Promise<{ rtspPort: number; httpPort: number }>((resolve, reject) => {
      node!.once('message', (m) => resolve(m as { rtspPort: number; httpPort: number }));
      node!.once('exit', (code) => reject(new Error(`the media node exited (${code})`)));
    });
    const tokens = TalkTokenCodec.fromConfig(loadConfig({ ...process.env, ARGUS_MASTER_KEY: masterKey, ARGUS_DATA_DIR: dir }));
    const endpoints = { http: `http://127.0.0.1:${ports.httpPort}`, ws: `ws://127.0.0.1:${ports.httpPort}`, rtsp: `rtsp://127.0.0.1:${ports.rtspPort}` };
    const talkerFormat: AudioFormat = { codec, sampleRate: rate, channels: 1 };
    const frames = talkerFrames(talkerFormat);
    let channelBase = 0;

    for (const n of counts) {
      const talkers: BenchTalker[] = [];
      const sentBursts: number[][] = [];
      const t0 = Date.now();
      let failed = 0;
      const opening = Array.from({ length: n }, async (_, i) => {
        const ch = channelBase + i + 1;
        const claims = {
          sessionId: `tlk_bench_${ch}`, tenantId: 'bench', channelId: `bench-${ch}`, transport: 'RTSP' as const, codec, sampleRate: rate,
          exp: Math.floor(Date.now() / 1000) + 600, iat: Date.now(),
        };
        try {
          talkers[i] = await BenchTalker.open(buildTalkUrl(endpoints, claims, tokens.sign(claims)), ports.rtspPort);
        } catch (err) {
          failed++;
          process.stderr.write(`talker ${ch}: ${(err as Error).message}\n`);
        }
      });
      await Promise.all(opening);
      const setupSeconds = (Date.now() - t0) / 1000;
      const live = talkers.map((t, i) => ({ t, i })).filter((x) => x.t);
      live.forEach(({ i }) => (sentBursts[i] = []));
      const pids = [node.pid!, ...childrenOf(node.pid!)];
      const cpu0 = cpuSeconds(pids);
      // one clock for every talker: frame k leaves at start + 20·k ms
      const start = Date.now();
      let k = 0;
      const total = Math.floor((seconds * 1000) / 20);
      await new Promise<void>((resolve) => {
        const tick = () => {
          const due = Math.floor((Date.now() - start) / 20);
          while (k <= due && k < total) {
            const f = frames[k % frames.length]!;
            for (const { t, i } of live) {
              if (f.burst) sentBursts[i]!.push(Date.now());
              t.send(f.payload, k * 20);
            }
            k++;
          }
          if (k >= total) return resolve();
          setTimeout(tick, Math.max(1, start + k * 20 - Date.now()));
        };
        tick();
      });
      await sleep(1000); // the last bursts arrive
      const cpu1 = cpuSeconds([node.pid!, ...childrenOf(node.pid!)]);
      const delays: number[] = [];
      let heard = 0;
      let sent = 0;
      for (const { i } of live) {
        const bursts = sentBursts[i]!;
        sent += bursts.length;
        // each onset belongs to the latest burst written before it; a burst counts once
        const matched = new Set<number>();
        for (const at of device.onsets.get(channelBase + i + 1) ?? []) {
          let j = -1;
          for (let b = 0; b < bursts.length && bursts[b]! <= at; b++) j = b;
          if (j < 0 || matched.has(j)) continue;
          matched.add(j);
          delays.push(at - bursts[j]!);
          heard++;
        }
      }
      const framesBack = live.reduce((a, { t }) => a + t.framesBack, 0);
      rows.push({
        sessions: n,
        up: live.length,
        setupSeconds: round(setupSeconds, 2),
        talker: `${codec}/${rate}`,
        device: 'PCMU/8000',
        burstsHeard: `${heard}/${sent}`,
        delayP50Ms: round(percentile(delays, 50), 1),
        delayP99Ms: round(percentile(delays, 99), 1),
        delayMaxMs: round(Math.max(...delays), 1),
        nodeCpuPerSession: round(((cpu1.total - cpu0.total) / seconds / Math.max(1, live.length)) * 100, 2) + ' %',
        nodeRssMB: round(rssMB([node.pid!]), 0),
        framesBackPerSessionPerS: round(framesBack / Math.max(1, live.length) / seconds, 1),
        failed,
      });
      await Promise.all(live.map(({ t }) => t.close()));
      channelBase += n;
      await sleep(1500);
    }
  } finally {
    process.off('SIGINT', onSignal);
    node?.kill('SIGTERM');
    await device.stop();
    await rm(dir, { recursive: true, force: true });
  }
  report('talk', rows, { seconds, codec, rate, backgroundHostCpu, note: 'delay = talker write of a burst’s first frame → arrival at the device of the PUT audioData holding its first loud sample (loopback)' });
}

/** 25 frames (500 ms) of the talker codec: a 60 ms 1 kHz burst, then silence. */
function talkerFrames(f: AudioFormat): Array<{ payload: Buffer; burst: boolean }> {
  const per = f.sampleRate / 50;
  const tone = new ToneGenerator(1000, f.sampleRate, 12000);
  const pcm = Array.from({ length: 25 }, (_, i) => (i < 3 ? tone.next(per) : new Int16Array(per)));
  if (f.codec === 'L16') return pcm.map((s, i) => ({ payload: samplesToL16(s), burst: i === 0 }));
  if (f.codec === 'PCMU' || f.codec === 'PCMA') return pcm.map((s, i) => ({ payload: encodeG711(f.codec as 'PCMU' | 'PCMA', s), burst: i === 0 }));
  throw new Error(`${f.codec} talkers are not part of this benchmark`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
