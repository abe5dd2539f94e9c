import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  H264RtpDepacketizer, RtspStreamParser, parseRtpPacket, parseSdp, resolveSdpControl, rtspHeader, sdpAttribute, serializeRtspRequest,
  type RtspHeaderList, type RtspResponse,
} from '@argus/protocols';
import type { Viewer, ViewerOptions } from './media-rtmp-client.js';

/**
 * A minimal RTSP player over TCP (interleaved), as ffmpeg does it: OPTIONS, DESCRIBE, SETUP of
 * each track, PLAY; then H.264 RTP reassembled into frames. Time to first frame counts from the
 * TCP connect to the last packet of the first keyframe.
 */
export function rtspViewer(url: string, options: ViewerOptions = {}): Viewer {
  const t0 = performance.now();
  const u = new URL(url);
  const socket = connect(Number(u.port || 554), u.hostname);
  socket.setNoDelay(true);
  const parser = new RtspStreamParser({ maxBodyBytes: 256 << 10 });
  const depacketizer = new H264RtpDepacketizer();
  let cseq = 0;
  let session: string | null = null;
  const waiting = new Map<number, (r: RtspResponse) => void>();
  let resolveStarted!: () => void;
  let rejectStarted!: (e: Error) => void;
  let resolveKey!: () => void;
  const started = new Promise<void>((res, rej) => ((resolveStarted = res), (rejectStarted = rej)));
  started.catch(() => undefined);
  const keyframe = new Promise<void>((res) => (resolveKey = res));
  const v: Viewer = {
    bytes: 0, videoFrames: 0, firstKeyframeMs: NaN, playing: false, closed: false, error: null, started, keyframe,
    close: () => {
      if (v.closed) return;
      v.closed = true;
      socket.destroy();
      rejectStarted(new Error(v.error ?? 'closed'));
      resolveKey();
      for (const w of waiting.values()) w({ version: 'RTSP/1.0', status: 0, reason: 'closed', headers: [], body: Buffer.alloc(0) });
    },
  };
  const fail = (why: string) => {
    v.error ??= why;
    v.close();
  };
  const request = (method: string, uri: string, headers: RtspHeaderList = []) =>
    new Promise<RtspResponse>((resolve) => {
      const n = ++cseq;
      waiting.set(n, resolve);
      const h: RtspHeaderList = [['CSeq', String(n)], ['User-Agent', 'argus-bench'], ...headers];
      if (session) h.push(['Session', session]);
      socket.write(serializeRtspRequest({ method, uri, headers: h }));
    });
  const expectOk = (r: RtspResponse, what: string) => {
    if (r.status !== 200) throw new Error(`RTSP ${what}: ${r.status} ${r.reason}`);
    return r;
  };
  socket.on('data', (d: Buffer) => {
    v.bytes += d.length;
    try {
      for (const item of parser.push(d)) {
        if (item.type === 'response') {
          const n = Number(rtspHeader(item.response.headers, 'CSeq'));
          const w = waiting.get(n);
          waiting.delete(n);
          w?.(item.response);
        } else if (item.type === 'interleaved' && item.channel === 0) {
          const at = performance.now();
          for (const frame of depacketizer.push(parseRtpPacket(item.payload))) {
            v.videoFrames++;
            if (Number.isNaN(v.firstKeyframeMs) && frame.keyframe) {
              v.firstKeyframeMs = at - t0;
              resolveKey();
            }
            options.onVideoFrame?.(frame.units, at);
          }
        }
      }
    } catch (err) {
      fail(`RTSP parse: ${(err as Error).message}`);
    }
  });
  socket.on('error', (err) => fail(err.message));
  socket.on('close', () => fail('server closed the connection'));
  socket.on('connect', () => {
    void (async () => {
      expectOk(await request('OPTIONS', url), 'OPTIONS');
      const d = expectOk(await request('DESCRIBE', url, [['Accept', 'application/sdp']]), 'DESCRIBE');
      const base = rtspHeader(d.headers, 'Content-Base') ?? url;
      const sdp = parseSdp(d.body);
      let channel = 0;
      for (const m of sdp.media.filter((x) => x.type === 'video' || x.type === 'audio').sort((a) => (a.type === 'video' ? -1 : 1))) {
        const s = expectOk(
          await request('SETUP', resolveSdpControl(base, sdpAttribute(m.attributes, 'control')), [['Transport', `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`]]),
          'SETUP',
        );
        session ??= (rtspHeader(s.headers, 'Session') ?? '').split(';')[0]!;
        channel += 2;
      }
      expectOk(await request('PLAY', base, [['Range', 'npt=0.000-']]), 'PLAY');
      v.playing = true;
      resolveStarted();
    })().catch((err) => fail((err as Error).message));
  });
  return v;
}
