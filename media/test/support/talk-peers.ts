/**
 * Talk test peers: GStreamer's ONVIF backchannel server as a fake camera
 * (tools/onvif-backchannel-camera.py), GStreamer's rtspsrc backchannel=onvif as the talker
 * (tools/onvif-backchannel-client.py), a WebSocket talker speaking Argus's talk framing, PCM
 * files read back for frequency measurement, and a device in memory.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { decodeTalkWsAudio, encodeTalkWsAudio, type TalkWsControl } from '@argus/protocols';
import { ToneGenerator, type DeviceTalk, type EncodedAudio } from '../../src/talk/index.js';
import { encodeG711, g711ToSamples } from '../../src/transcode/g711.js';

export const PYTHON = '/usr/bin/python3';
const CAMERA_SCRIPT = fileURLToPath(new URL('../../../tools/onvif-backchannel-camera.py', import.meta.url));
const CLIENT_SCRIPT = fileURLToPath(new URL('../../../tools/onvif-backchannel-client.py', import.meta.url));

/** Why the GStreamer peers cannot run here, or null when they can. */
export function missingGstreamerTalk(): string | null {
  const r = spawnSync(PYTHON, ['-c', [
    'import gi, sys', "gi.require_version('Gst','1.0')", "gi.require_version('GstRtspServer','1.0')",
    'from gi.repository import Gst, GstRtspServer', 'Gst.init(None)', 'GstRtspServer.RTSPOnvifServer',
    "need = ['rtspsrc','audiotestsrc','mulawenc','mulawdec','alawenc','alawdec','rtppcmupay','rtppcmudepay','rtppcmapay','rtppcmadepay','rtpL16pay','rtpL16depay','appsink','audioresample']",
    "miss = [n for n in need if not Gst.ElementFactory.find(n)]", "print(' '.join(miss)); sys.exit(1 if miss else 0)",
  ].join('\n')], { encoding: 'utf8' });
  if (r.status !== 0) return `GStreamer talk peers unavailable: ${(r.stdout || r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return null;
}

/** Lines a peer printed on stdout, and a way to wait for one. */
class LineLog {
  lines: string[] = [];
  private waiters: Array<() => void> = [];
  push(text: string) {
    for (const l of text.split('\n')) if (l.trim()) this.lines.push(l.trim());
    for (const w of this.waiters.splice(0)) w();
  }
  async waitFor(re: RegExp, timeoutMs: number, what: string, stderr: () => string): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const l of this.lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${this.lines.slice(-10).join(' | ')}; stderr: ${stderr().slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
}

export interface PythonPeer {
  child: ChildProcessWithoutNullStreams;
  log: LineLog;
  stderr(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function spawnPython(args: string[]): PythonPeer {
  // stdin stays a pipe: the camera exits when it closes, so none outlives this process
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const log = new LineLog();
  let err = '';
  child.stdout.on('data', (d: Buffer) => log.push(d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-16384)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child, log, exited, stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface FakeCamera extends PythonPeer {
  port: number;
  url: string;
  /** The PCM file of the n-th backchannel client (S16LE 8 kHz mono). */
  recording(n: number): string;
}

/** GStreamer's RTSPOnvifServer with a `tone` Hz microphone in `codec`, recording what talkers send into `dir`. */
export async function startFakeCamera(dir: string, o: { codec?: 'PCMU' | 'PCMA' | 'L16'; tone?: number; auth?: string } = {}): Promise<FakeCamera> {
  const peer = spawnPython([CAMERA_SCRIPT, '0', '--codec', o.codec ?? 'PCMU', '--tone', String(o.tone ?? 440), '--record-dir', dir, ...(o.auth ? ['--auth', o.auth] : [])]);
  const m = await peer.log.waitFor(/^READY (\d+)/, 15_000, 'the fake camera to listen', peer.stderr);
  const port = Number(m[1]);
  return { ...peer, port, url: `rtsp://127.0.0.1:${port}/test`, recording: (n) => `${dir}/backchannel-${n}.s16le` };
}

/** GStreamer's rtspsrc backchannel=onvif talking `tone` Hz into `url`, recording what it hears into `record`. */
export function startGstTalker(url: string, o: { tone?: number; record?: string; seconds?: number; noRequire?: boolean } = {}): PythonPeer {
  return spawnPython([
    CLIENT_SCRIPT, url, '--tone', String(o.tone ?? 1000),
    ...(o.record ? ['--record', o.record] : []), ...(o.seconds ? ['--seconds', String(o.seconds)] : []), ...(o.noRequire ? ['--no-require'] : []),
  ]);
}

/** S16LE samples of a PCM file ([] when it does not exist yet). */
export async function readPcm(path: string): Promise<Int16Array> {
  try {
    const buf = await readFile(path);
    const n = buf.length >> 1;
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(i * 2);
    return out;
  } catch {
    return new Int16Array(0);
  }
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** A WebSocket talker: sends frames with Argus's talk framing, collects what the device says. */
export class WsTalker {
  readonly received: Array<{ payload: Buffer; timestamp: number; at: number }> = [];
  readonly control: TalkWsControl[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private sequence = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        const a = decodeTalkWsAudio(buf);
        if (a) this.received.push({ payload: Buffer.from(a.payload), timestamp: a.timestamp, at: Date.now() });
      } else this.control.push(JSON.parse(buf.toString('utf8')) as TalkWsControl);
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
    });
  }

  /** Connects; rejects with the HTTP status and body when the upgrade is refused. */
  static connect(url: string): Promise<WsTalker> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new WsTalker(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', (err) => reject(err));
    });
  }

  send(payload: Buffer, timestamp = Date.now()): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeTalkWsAudio({ sequence: this.sequence++, timestamp, payload }));
  }

  closed(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => this.ws.once('close', () => r()));
  }

  close(): void {
    this.ws.close();
  }
}

/** A device in memory: plays PCMU 8 kHz (records it), and its microphone says 440 Hz. */
export class MemoryDevice implements DeviceTalk {
  readonly uplink = { codec: 'PCMU' as const, sampleRate: 8000, channels: 1 };
  readonly downlink = { codec: 'PCMU' as const, sampleRate: 8000, channels: 1 };
  readonly description = 'memory device PCMU/8000';
  heard: Int16Array[] = [];
  closed: string | null = null;
  private listeners: Array<(f: EncodedAudio) => void> = [];
  private closeListeners: Array<(r: string) => void> = [];
  private timer: NodeJS.Timeout;
  private gen = new ToneGenerator(440, 8000);
  private t = 0;
  constructor(readonly channelId: string) {
    this.timer = setInterval(() => {
      const frame = { payload: encodeG711('PCMU', this.gen.next(160)), timestamp: this.t };
      this.t += 20;
      for (const l of this.listeners) l(frame);
    }, 20);
  }
  get heardSamples(): Int16Array {
    const n = this.heard.reduce((a, b) => a + b.length, 0);
    const out = new Int16Array(n);
    let o = 0;
    for (const h of this.heard) (out.set(h, o), (o += h.length));
    return out;
  }
  send(f: EncodedAudio) {
    if (!this.closed) this.heard.push(g711ToSamples('PCMU', f.payload));
  }
  onAudio(l: (f: EncodedAudio) => void) {
    this.listeners.push(l);
  }
  close(reason = 'closed') {
    if (this.closed) return;
    this.closed = reason;
    clearInterval(this.timer);
  }
  onClose(l: (r: string) => void) {
    this.closeListeners.push(l);
  }
  /** The device hangs up on its own. */
  hangUp() {
    this.close('hung up');
    for (const l of this.closeListeners) l('hung up');
  }
}

