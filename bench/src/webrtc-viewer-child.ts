/**
 * WHEP viewers made of werift peer connections, many per process, for bench/webrtc. Each viewer
 * POSTs a recvonly offer, counts the RTP it receives (packets, bytes, sequence gaps), and keeps
 * the time of its first packet. Viewers of the probe stream also read the push time carried in
 * each frame (relay delay). Parent messages: { open: { urls: string[], spacingMs } }, { report: true },
 * { close: true }. Answers { opened }, { report: ViewerReport[] }.
 */
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

export interface ViewerReport {
  ok: boolean;
  error?: string;
  connectMs?: number;
  firstPacketMs?: number;
  packets: number;
  bytes: number;
  lost: number;
  /** Probe viewers: relay delays (ms) of the frames received. */
  delays?: number[];
}

interface Viewer {
  pc: RTCPeerConnection;
  resource: string | null;
  r: ViewerReport;
  /** Per SSRC: highest extended sequence number, the first one, and packets counted. */
  seqs: Map<number, { first: number; max: number; count: number }>;
}

const viewers: Viewer[] = [];
const MARK = Buffer.from('ARGUSPROBE');

async function openViewer(url: string): Promise<Viewer> {
  const started = Date.now();
  const pc = new RTCPeerConnection({
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
    codecs: {
      video: [new RTCRtpCodecParameters({
        mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
      })],
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
    },
  });
  const v: Viewer = { pc, resource: null, r: { ok: false, packets: 0, bytes: 0, lost: 0 }, seqs: new Map() };
  const probe = url.includes('/probe/');
  if (probe) v.r.delays = [];
  for (const kind of ['video', 'audio'] as const) {
    const t = pc.addTransceiver(kind, { direction: 'recvonly' });
    t.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const r = v.r;
        if (r.packets === 0) r.firstPacketMs = Date.now() - started;
        r.packets++;
        r.bytes += rtp.payload.length;
        // lost = packets the sequence numbers say were sent, minus packets received (late and resent ones count as received)
        const seq = rtp.header.sequenceNumber;
        const st = v.seqs.get(rtp.header.ssrc);
        if (!st) v.seqs.set(rtp.header.ssrc, { first: seq, max: seq, count: 1 });
        else {
          const ahead = (seq - (st.max & 0xffff) + 0x10000) & 0xffff;
          if (ahead > 0 && ahead < 0x8000) st.max += ahead;
          st.count++;
        }
        if (probe && rtp.payload.length >= 27) {
          const at = rtp.payload.indexOf(MARK);
          if (at >= 0 && rtp.payload.length >= at + MARK.length + 8) r.delays!.push(Date.now() - rtp.payload.readDoubleBE(at + MARK.length));
        }
      });
    });
  }
  try {
    await pc.setLocalDescription(await pc.createOffer());
    const tOffer = Date.now() - started;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    v.resource = new URL(res.headers.get('location')!, url).toString();
    const tAnswer = Date.now() - started;
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    if (process.env.BENCH_DEBUG) pc.iceConnectionStateChange.subscribe((s) => process.stderr.write(`viewer ice ${s} at ${Date.now() - started} ms (offer ${tOffer}, answer ${tAnswer})\n`));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('not connected in 60 s')), 60_000);
      pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') {
          clearTimeout(t);
          resolve();
        } else if (s === 'failed') {
          clearTimeout(t);
          reject(new Error('connection failed'));
        }
      });
    });
    v.r.ok = true;
    v.r.connectMs = Date.now() - started;
  } catch (err) {
    v.r.error = (err as Error).message;
  }
  return v;
}

process.on('message', async (m: { open?: { urls: string[]; spacingMs: number }; report?: boolean; close?: boolean }) => {
  if (m.open) {
    const pending: Array<Promise<Viewer>> = [];
    for (const url of m.open.urls) {
      pending.push(openViewer(url));
      await new Promise((r) => setTimeout(r, m.open!.spacingMs));
    }
    viewers.push(...(await Promise.all(pending)));
    process.send?.({ opened: viewers.length });
  } else if (m.report) {
    for (const v of viewers) {
      v.r.lost = 0;
      for (const st of v.seqs.values()) v.r.lost += Math.max(0, st.max - st.first + 1 - st.count);
    }
    process.send?.({ report: viewers.map((v) => v.r) });
    for (const v of viewers) {
      v.r.packets = 0;
      v.r.bytes = 0;
      v.r.lost = 0;
      v.seqs.clear();
      if (v.r.delays) v.r.delays = [];
    }
  } else if (m.close) {
    await Promise.all(viewers.map(async (v) => {
      if (v.resource) await fetch(v.resource, { method: 'DELETE' }).catch(() => undefined);
      await v.pc.close().catch(() => undefined);
    }));
    viewers.length = 0;
    process.send?.({ closed: true });
  }
});
process.on('disconnect', () => process.exit(0));
