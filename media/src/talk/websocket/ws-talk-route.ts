/**
 * Talk over a WebSocket on the media node's HTTP port: `ws(s)://…/talk/ws?vcuid=<channel>&token=…`
 * (the WSS address of cmiot-video-northbound-api.txt §4.5.3.1, single use, expiring).
 *
 * The token is checked, its use consumed and the device leg opened before the upgrade is
 * answered, so a refusal is a plain HTTP status with a JSON body (401 expired/invalid/revoked,
 * 403 used/wrong transport, 409 channel busy, 503 device unavailable). Once open:
 * - server → client: a JSON {"type":"ready",…} naming the codec, then binary audio frames of the
 *   device in the session's codec (framing: @argus/protocols talk/ws-frame.ts);
 * - client → server: binary audio frames in the session's codec; JSON {"type":"ping"} keeps a
 *   silent talker alive, {"type":"bye"} hangs up;
 * - the session ends after the session timeout without any message from the client, when the
 *   device leg ends, or on take-over / stopTalk; the server sends {"type":"ended","reason"} and
 *   closes with TALK_WS_CLOSE codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { decodeTalkWsAudio, encodeTalkWsAudio, TALK_WS_CLOSE, TALK_WS_MAX_PAYLOAD, type TalkWsControl } from '@argus/protocols';
import { TALK_PATHS, type Logger, type TalkTokenClaims } from '@argus/platform';
import type { PageRoute, PageUpgradeRoute } from '../../media-server.js';
import { describeFormat } from '../audio/audio-converter.js';
import type { DeviceTalkLeg } from '../device-talk-leg.js';
import { TalkRefused } from '../talk-refused.js';
import { TALK_END, type TalkNode } from '../talk-node.js';

/** Device audio waiting in the socket beyond this is dropped. */
const MAX_BUFFERED = 64 * 1024;

export function websocketTalkRoute(talk: TalkNode, timeoutSeconds: number, log: Logger): { page: PageRoute; upgrade: PageUpgradeRoute } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: TALK_WS_MAX_PAYLOAD + 64 });
  return {
    page(_req: IncomingMessage, res: ServerResponse, url: URL) {
      if (url.pathname !== TALK_PATHS.WEBSOCKET) return false;
      const body = JSON.stringify({ error: { code: 'UPGRADE_REQUIRED', message: 'talk URLs are WebSocket URLs (ws:// or wss://)' } });
      res.writeHead(426, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), upgrade: 'websocket' });
      res.end(body);
      return true;
    },
    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) {
      if (url.pathname !== TALK_PATHS.WEBSOCKET) return false;
      let leg: DeviceTalkLeg;
      let claims: TalkTokenClaims;
      try {
        claims = talk.check(url.searchParams.get('token'), 'WEBSOCKET');
        const vcuid = url.searchParams.get('vcuid');
        if (vcuid !== null && vcuid !== claims.channelId) throw new TalkRefused(403, 'TOKEN_SCOPE', 'vcuid is not the channel of this talk URL');
        leg = await talk.begin(claims, `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`);
      } catch (err) {
        const r = err instanceof TalkRefused ? err : new TalkRefused(503, 'UNAVAILABLE', 'talk is not available');
        if (!(err instanceof TalkRefused)) log.error({ err }, 'ws talk: opening the session failed');
        const body = JSON.stringify({ error: { code: r.code, message: r.message } });
        socket.end(`HTTP/1.1 ${r.status} ${r.code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
        return true;
      }
      if (socket.destroyed) {
        leg.close(TALK_END.HUNG_UP);
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, leg, claims, talk, timeoutSeconds, log));
      return true;
    },
  };
}

function closeCode(reason: string): number {
  if (reason === TALK_END.TAKEN_OVER) return TALK_WS_CLOSE.TAKEN_OVER;
  if (reason === TALK_END.STOPPED) return TALK_WS_CLOSE.REVOKED;
  if (reason === TALK_END.TIMEOUT) return TALK_WS_CLOSE.TIMEOUT;
  if (reason.startsWith('device') || reason.startsWith('audio conversion')) return TALK_WS_CLOSE.DEVICE_GONE;
  return TALK_WS_CLOSE.NORMAL;
}

function runSession(ws: WebSocket, leg: DeviceTalkLeg, claims: TalkTokenClaims, talk: TalkNode, timeoutSeconds: number, log: Logger) {
  const format = talk.talkerFormat(claims);
  let lastActivity = Date.now();
  let sequence = 0;
  let dropped = 0;
  const send = (m: TalkWsControl) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  send({ type: 'ready', sessionId: claims.sessionId, codec: format.codec, sampleRate: format.sampleRate, channels: 1, device: leg.device.description, timeoutSeconds });
  const stopAudio = leg.onDeviceAudio((f) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) return void dropped++;
    ws.send(encodeTalkWsAudio({ sequence: sequence++, timestamp: f.timestamp, payload: f.payload }));
  });
  const timeoutMs = timeoutSeconds * 1000;
  const timer = setInterval(() => {
    if (Date.now() - lastActivity > timeoutMs) leg.close(TALK_END.TIMEOUT);
  }, Math.max(250, Math.min(5000, timeoutMs / 4)));
  timer.unref();
  leg.onClose((reason) => {
    clearInterval(timer);
    stopAudio();
    if (ws.readyState === WebSocket.OPEN) {
      send({ type: 'ended', reason });
      ws.close(closeCode(reason), reason.slice(0, 120));
    }
    log.debug({ session: claims.sessionId, reason, dropped, talker: describeFormat(format) }, 'ws talk: closed');
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    lastActivity = Date.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      const audio = decodeTalkWsAudio(buf);
      if (audio) leg.send({ codec: format.codec, sampleRate: format.sampleRate, channels: 1, payload: audio.payload, timestamp: audio.timestamp });
      return;
    }
    let msg: Partial<TalkWsControl> | null = null;
    try {
      msg = JSON.parse(buf.toString('utf8')) as Partial<TalkWsControl>;
    } catch {
      /* not JSON: ignored */
    }
    if (msg?.type === 'bye') leg.close(TALK_END.HUNG_UP);
  });
  ws.on('ping', () => (lastActivity = Date.now()));
  ws.on('pong', () => (lastActivity = Date.now()));
  ws.on('close', () => leg.close(TALK_END.HUNG_UP));
  ws.on('error', () => leg.close(TALK_END.HUNG_UP));
}
