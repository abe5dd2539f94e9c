/**
 * Hikvision ISAPI two-way audio (hikvision-isapi-integration.txt §4.3.4, /ISAPI/System/TwoWayAudio/
 * channels/<id>; the ISAPI developer guide's programming flow), from the media node:
 *
 *   GET  /ISAPI/System/TwoWayAudio/channels/<id>            → <audioCompressionType> (G.711ulaw | G.711alaw)
 *   PUT  /ISAPI/System/TwoWayAudio/channels/<id>/open       → <TwoWayAudioSession><sessionId>
 *   PUT  /ISAPI/System/TwoWayAudio/channels/<id>/audioData?sessionId=…   talker audio, application/octet-stream
 *   GET  /ISAPI/System/TwoWayAudio/channels/<id>/audioData?sessionId=…   the device's audio, streamed (audio/basic)
 *   PUT  /ISAPI/System/TwoWayAudio/channels/<id>/close
 *
 * Every request carries Digest credentials. Talker audio goes as a sequence of PUT audioData
 * requests on one keep-alive connection: each carries what arrived while the previous one was
 * answered (one 20 ms frame when the device keeps up), so the added delay is one round trip.
 * The device's audio stream is cut into 20 ms frames. Channel ids count from 1.
 */
import type { Logger } from '@argus/platform';
import { DeviceTalkUnavailable, type AudioFormat, type DeviceTalk, type EncodedAudio } from '@argus/media';
import type { TalkDriver } from '../types.js';
import { IsapiHttp, xmlText } from './isapi-http.js';

const PCM_CODECS: Record<string, AudioFormat> = {
  'G.711ULAW': { codec: 'PCMU', sampleRate: 8000, channels: 1 },
  'G.711ALAW': { codec: 'PCMA', sampleRate: 8000, channels: 1 },
};
/** G.711 at 8 kHz: bytes per 20 ms. */
const FRAME_BYTES = 160;
/** Talker audio not yet sent beyond this (the device stopped answering) is dropped. */
const MAX_PENDING_BYTES = 8000;

export const isapiTwoWayAudioDriver: TalkDriver = {
  name: 'ISAPI',

  resolve(source) {
    const raw = (source.address ?? '').trim();
    if (!raw) throw new DeviceTalkUnavailable(`ISAPI device ${source.deviceId} has no address`);
    let url: URL;
    try {
      // the device's web address: http(s)://host[:port], or host[:port] for plain HTTP (an rtsp:// address keeps its host)
      url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
    } catch {
      throw new DeviceTalkUnavailable(`ISAPI device ${source.deviceId} has an unusable address "${raw}"`);
    }
    if (url.protocol === 'rtsp:') url = new URL(`http://${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DeviceTalkUnavailable(`ISAPI device ${source.deviceId} has no http(s) address`);
    if (!Number.isInteger(source.channelIndex) || source.channelIndex < 1) throw new DeviceTalkUnavailable(`channel ${source.channelId} has no ISAPI channel number`);
    return { driver: 'ISAPI', url: `${url.protocol}//${url.host}`, channel: source.channelIndex, username: source.username, password: source.password };
  },

  async open(target, _request, options) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const http = new IsapiHttp(target.url, target.username, target.password, timeoutMs);
    const base = `/ISAPI/System/TwoWayAudio/channels/${target.channel}`;
    const where = `${new URL(target.url).host} channel ${target.channel}`;
    const fail = (why: string): never => {
      http.close();
      throw new DeviceTalkUnavailable(`ISAPI device ${where}: ${why}`);
    };
    let format: AudioFormat;
    let sessionId: string | null;
    try {
      const conf = await http.request('GET', base);
      if (conf.status === 401) fail('the device refused the credentials');
      if (conf.status === 404) fail('the device has no two-way audio on this channel');
      if (conf.status !== 200) fail(`GET ${base} answered ${conf.status}`);
      const compression = xmlText(conf.body.toString('utf8'), 'audioCompressionType') ?? '';
      format = PCM_CODECS[compression.toUpperCase()] ?? fail(`audioCompressionType ${compression || '(none)'} is not one Argus talks (G.711ulaw, G.711alaw)`);
      const opened = await http.request('PUT', `${base}/open`);
      if (opened.status !== 200) fail(`the device did not open two-way audio (${opened.status}: ${xmlText(opened.body.toString('utf8'), 'statusString') ?? ''})`);
      sessionId = xmlText(opened.body.toString('utf8'), 'sessionId');
    } catch (err) {
      if (err instanceof DeviceTalkUnavailable) throw err;
      return fail(`cannot be reached: ${(err as Error).message}`);
    }
    const query = sessionId ? `?sessionId=${encodeURIComponent(sessionId)}` : '';
    return new IsapiTalk(http, base, query, format, where, options.logger);
  },
};

class IsapiTalk implements DeviceTalk {
  readonly uplink: AudioFormat;
  readonly downlink: AudioFormat;
  readonly description: string;
  private closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private sending = false;
  private failures = 0;
  private readonly audioListeners: Array<(f: EncodedAudio) => void> = [];
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private readonly abort = new AbortController();
  droppedBytes = 0;

  constructor(
    private readonly http: IsapiHttp,
    private readonly base: string,
    private readonly query: string,
    format: AudioFormat,
    where: string,
    private readonly log: Logger,
  ) {
    this.uplink = format;
    this.downlink = format;
    this.description = `ISAPI two-way audio ${format.codec}/${format.sampleRate} (${where})`;
    void this.receive();
  }

  send(frame: EncodedAudio): void {
    if (this.closed) return;
    if (this.pendingBytes + frame.payload.length > MAX_PENDING_BYTES) {
      this.droppedBytes += frame.payload.length;
      return;
    }
    this.pending.push(frame.payload);
    this.pendingBytes += frame.payload.length;
    if (!this.sending) void this.flush();
  }

  onAudio(listener: (f: EncodedAudio) => void): void {
    this.audioListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener('closed');
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.finish('closed');
    void this.http
      .request('PUT', `${this.base}/close`)
      .catch(() => undefined)
      .finally(() => this.http.close());
  }

  private finish(reason: string) {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  /** One PUT audioData at a time, each with everything pending. */
  private async flush() {
    this.sending = true;
    try {
      while (!this.closed && this.pending.length) {
        const body = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        try {
          const res = await this.http.request('PUT', `${this.base}/audioData${this.query}`, body, { 'content-type': 'application/octet-stream' });
          if (res.status !== 200) throw new Error(`PUT audioData answered ${res.status}`);
          this.failures = 0;
        } catch (err) {
          if (this.closed) return;
          if (++this.failures >= 3) {
            this.log.warn({ err: (err as Error).message }, 'isapi talk: the device does not take audio any more');
            this.finish('the device stopped taking audio');
            this.http.close();
            return;
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The device's audio: one long GET, cut into 20 ms frames. */
  private async receive() {
    let rest: Buffer = Buffer.alloc(0);
    let samples = 0;
    try {
      const res = await this.http.stream(`${this.base}/audioData${this.query}`, this.abort.signal);
      if (res.statusCode !== 200) {
        res.resume();
        this.log.debug({ status: res.statusCode }, 'isapi talk: the device sends no audio');
        return;
      }
      for await (const chunk of res) {
        if (this.closed) break;
        rest = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
        while (rest.length >= FRAME_BYTES) {
          const payload = rest.subarray(0, FRAME_BYTES);
          rest = rest.subarray(FRAME_BYTES);
          const frame = { payload: Buffer.from(payload), timestamp: (samples * 1000) / 8000 };
          samples += FRAME_BYTES;
          for (const l of this.audioListeners) l(frame);
        }
      }
      if (!this.closed) this.finish('the device ended its audio stream');
    } catch (err) {
      if (!this.closed) {
        this.log.debug({ err: (err as Error).message }, 'isapi talk: audio stream from the device failed');
        this.finish('the device audio stream failed');
      }
    }
  }
}
