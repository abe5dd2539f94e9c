/**
 * A simulated Hikvision device's ISAPI two-way audio (there is no open peer for it): the endpoints
 * of /ISAPI/System/TwoWayAudio/channels/<id> as the ISAPI developer guide describes them, behind
 * HTTP Digest (qop=auth), G.711 at 8 kHz mono:
 *
 *   GET  …/channels                    <TwoWayAudioChannelList>
 *   GET  …/channels/<id>               <TwoWayAudioChannel> with audioCompressionType
 *   PUT  …/channels/<id>/open          <TwoWayAudioSession><sessionId>; 403 "Device Busy" while open
 *   PUT  …/channels/<id>/audioData?sessionId=…   raw G.711 in the body (application/octet-stream): played (recorded here)
 *   GET  …/channels/<id>/audioData?sessionId=…   the microphone: a `tone` Hz sine as audio/basic, paced in real time
 *   PUT  …/channels/<id>/close         ends the session (and the microphone stream)
 *
 * Errors are <ResponseStatus> with statusCode/statusString/subStatusCode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseRtspAuthorization, verifyRtspDigest } from '@argus/protocols';
import { encodeG711, g711ToSamples } from '../../media/src/transcode/g711.js';
import { ToneGenerator } from '../../media/src/talk/audio/tone.js';

export interface IsapiTalkSimOptions {
  username?: string;
  password?: string;
  /** audioCompressionType (default G.711ulaw). */
  compression?: 'G.711ulaw' | 'G.711alaw' | 'G.726';
  /** The microphone's tone (default 440 Hz). */
  tone?: number;
  channels?: number;
}

export interface IsapiTalkSim {
  url: string;
  port: number;
  /** Every request as "METHOD path". */
  requests: string[];
  /** G.711 decoded from PUT audioData, per channel. */
  heard(channel: number): Int16Array;
  /** Arrival times (Date.now()) and sizes of audioData bodies, per channel. */
  arrivals(channel: number): Array<{ at: number; bytes: number }>;
  /** The open session of a channel, if any. */
  session(channel: number): string | null;
  stop(): Promise<void>;
}

const NS = 'http://www.hikvision.com/ver20/XMLSchema';
const BASE = '/ISAPI/System/TwoWayAudio/channels';

export async function startIsapiTwoWayAudioSim(o: IsapiTalkSimOptions = {}): Promise<IsapiTalkSim> {
  const username = o.username ?? 'admin';
  const password = o.password ?? 'hik12345';
  const compression = o.compression ?? 'G.711ulaw';
  const codec = compression === 'G.711alaw' ? 'PCMA' : 'PCMU';
  const channelCount = o.channels ?? 1;
  const realm = 'DS-2CD2F12FWD-IWS';
  const nonce = randomBytes(16).toString('hex');
  const requests: string[] = [];
  const heard = new Map<number, Int16Array[]>();
  const arrivals = new Map<number, Array<{ at: number; bytes: number }>>();
  const sessions = new Map<number, { id: string; mics: Set<ServerResponse> }>();

  const status = (res: ServerResponse, http: number, code: number, text: string, sub: string, url: string) => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0" xmlns="${NS}"><requestURL>${url}</requestURL><statusCode>${code}</statusCode><statusString>${text}</statusString><subStatusCode>${sub}</subStatusCode></ResponseStatus>`;
    res.writeHead(http, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const xml = (res: ServerResponse, body: string) => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const authorized = (req: IncomingMessage) => {
    const h = req.headers.authorization;
    if (!h) return false;
    try {
      const c = parseRtspAuthorization(h);
      return c.scheme === 'Digest' && c.params.username === username && verifyRtspDigest(c.params, { realm, nonce, method: req.method ?? 'GET', password });
    } catch {
      return false;
    }
  };
  const channelXml = (id: number) =>
    `<TwoWayAudioChannel version="2.0" xmlns="${NS}"><id>${id}</id><enabled>true</enabled><audioCompressionType>${compression}</audioCompressionType><audioInputType>MicIn</audioInputType><speakerVolume>50</speakerVolume><noisereduce>false</noisereduce></TwoWayAudioChannel>`;

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  const closeSession = (ch: number) => {
    const s = sessions.get(ch);
    if (!s) return;
    sessions.delete(ch);
    for (const mic of s.mics) mic.end();
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      requests.push(`${req.method} ${url.pathname}`);
      if (!authorized(req)) {
        req.resume();
        res.writeHead(401, { 'www-authenticate': `Digest qop="auth", realm="${realm}", nonce="${nonce}", stale="FALSE"`, 'content-length': 0 });
        return void res.end();
      }
      const path = url.pathname;
      if (path === BASE && req.method === 'GET') {
        return xml(res, `<TwoWayAudioChannelList version="2.0" xmlns="${NS}">${Array.from({ length: channelCount }, (_, i) => channelXml(i + 1)).join('')}</TwoWayAudioChannelList>`);
      }
      const m = /^\/ISAPI\/System\/TwoWayAudio\/channels\/(\d+)(?:\/(open|close|audioData))?$/.exec(path);
      const ch = m ? Number(m[1]) : 0;
      if (!m || ch < 1 || ch > channelCount) {
        req.resume();
        return status(res, 404, 4, 'Invalid Operation', 'notSupport', path);
      }
      const action = m[2];
      if (!action && req.method === 'GET') return xml(res, channelXml(ch));
      if (action === 'open' && req.method === 'PUT') {
        await readBody(req);
        if (sessions.has(ch)) return status(res, 403, 7, 'Device Busy', 'deviceBusy', path);
        const id = String(randomBytes(4).readUInt32BE(0));
        sessions.set(ch, { id, mics: new Set() });
        return xml(res, `<TwoWayAudioSession version="2.0" xmlns="${NS}"><sessionId>${id}</sessionId></TwoWayAudioSession>`);
      }
      if (action === 'close' && req.method === 'PUT') {
        await readBody(req);
        closeSession(ch);
        return status(res, 200, 1, 'OK', 'ok', path);
      }
      if (action === 'audioData') {
        const s = sessions.get(ch);
        const given = url.searchParams.get('sessionId');
        if (!s || (given !== null && given !== s.id)) {
          req.resume();
          return status(res, 403, 4, 'Invalid Operation', 'twoWayAudioNotOpen', path);
        }
        if (req.method === 'PUT') {
          const body = await readBody(req);
          const list = heard.get(ch) ?? [];
          list.push(g711ToSamples(codec, body));
          heard.set(ch, list);
          const a = arrivals.get(ch) ?? [];
          a.push({ at: Date.now(), bytes: body.length });
          arrivals.set(ch, a);
          return status(res, 200, 1, 'OK', 'ok', path);
        }
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'audio/basic', connection: 'keep-alive' });
          s.mics.add(res);
          const gen = new ToneGenerator(o.tone ?? 440, 8000);
          const timer = setInterval(() => res.write(encodeG711(codec, gen.next(160))), 20);
          res.once('close', () => {
            clearInterval(timer);
            s.mics.delete(res);
          });
          return;
        }
      }
      req.resume();
      status(res, 405, 4, 'Invalid Operation', 'methodNotAllowed', path);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    heard(channel) {
      const list = heard.get(channel) ?? [];
      const out = new Int16Array(list.reduce((n, l) => n + l.length, 0));
      let off = 0;
      for (const l of list) (out.set(l, off), (off += l.length));
      return out;
    },
    arrivals: (channel) => arrivals.get(channel) ?? [],
    session: (channel) => sessions.get(channel)?.id ?? null,
    async stop() {
      for (const ch of [...sessions.keys()]) closeSession(ch);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
