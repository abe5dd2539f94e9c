/**
 * A WHEP viewer on a lossy path: a werift peer (H.264 with NACK and RTX, as browsers offer it)
 * drops about 5 % of what reaches it. The node must resend what the viewer reports lost (RTX),
 * so that nearly every packet of the stream arrives in the end, and must send RTCP sender reports
 * whose NTP time is the wall clock and whose counts follow what was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTCPeerConnection, RTCRtpCodecParameters, RtcpSrPacket } from 'werift';
import { createLogger, createRuntime, InProcessBus, loadConfig, PlayTokenCodec, publishKeyFor, type ServiceRuntime } from '@argus/platform';
import { MediaServer } from '../src/media-server.js';
import { rtmpModule, webrtcModule, type RtmpModule, type WebRtcModule } from '../src/index.js';
import type { WhepSession } from '../src/egress/webrtc/whep-session.js';
import { h264AacArgs, killAllFfmpeg, spawnFfmpeg, testSourceArgs, waitFor } from './support/ffmpeg.js';

const PATH = 'live/lossy/primary';

let dir: string;
let runtime: ServiceRuntime;
let server: MediaServer;
let rtmp: RtmpModule;
let webrtc: WebRtcModule;

describe('WHEP viewer on a lossy path', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-whep-loss-'));
    runtime = createRuntime(loadConfig({ ...process.env, ARGUS_DATA_DIR: dir }), createLogger('t', 'warn'), new InProcessBus());
    server = new MediaServer(runtime, { host: '127.0.0.1', httpPort: 0, rtmpPort: 0, rtspPort: 0, onDemandTimeoutMs: 3000, idleSeconds: 2 });
    rtmp = rtmpModule();
    webrtc = webrtcModule({ config: { iceTimeoutMs: 5000 } });
    await server.start([rtmp, webrtc]);
    const key = publishKeyFor(runtime.config.deriveKey('publish-keys'), PATH);
    const pub = spawnFfmpeg([...testSourceArgs(), ...h264AacArgs({ gop: 25, videoBitrate: '1M' }), '-f', 'flv', `rtmp://127.0.0.1:${rtmp.port}/${PATH}?key=${key}`], { timeoutMs: 120_000 });
    await waitFor(() => server.hub.get(PATH)?.ready, { timeoutMs: 15_000, what: () => `the RTMP publish: ${pub.stderr()}` });
  });

  afterAll(async () => {
    await killAllFfmpeg();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('resends lost packets over RTX and sends sender reports on the wall clock', async () => {
    const token = PlayTokenCodec.fromConfig(runtime.config).sign({
      grantId: 'g', tenantId: 't1', channelId: 'lossy', stream: 'primary', protocol: 'WEBRTC', exp: Math.floor(Date.now() / 1000) + 120, maxUses: 0,
    });
    const pc = new RTCPeerConnection({
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
          }),
          new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90000 }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      },
      // werift drops an incoming SRTP/SRTCP packet when inboundPacketLoss / 100 < Math.random(): about 5 % here
      debug: { inboundPacketLoss: 95 },
    });
    const seqs = new Set<number>();
    let first = -1;
    let last = -1;
    const reports: RtcpSrPacket[] = [];
    const t = pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    t.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => {
      // extended sequence numbers from the first packet on (the test lasts far less than a wrap)
      if (first < 0) first = rtp.header.sequenceNumber;
      const ext = (rtp.header.sequenceNumber - first + 0x10000) % 0x10000;
      if (ext < 0x8000) {
        seqs.add(ext);
        last = Math.max(last, ext);
      }
    }));
    t.receiver.onRtcp.subscribe((p) => {
      if (p instanceof RtcpSrPacket) reports.push(p);
    });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(`http://127.0.0.1:${server.httpPort}/${PATH}/whep?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(res.status).toBe(201);
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    try {
      await waitFor(() => last > 1500 && reports.length >= 2, { timeoutMs: 60_000, what: () => `packets up to ${last}, ${reports.length} sender reports` });
      const session = webrtc.sessions().list().find((s) => s.kind === 'whep') as WhepSession;
      const stats = session.stats();
      // the viewer lost about 5 % on the way; what it asked for again came back
      expect(stats.video!.retransmitted).toBeGreaterThan(0);
      const upTo = last - 200; // the newest packets may still be on their way back
      let missing = 0;
      for (let i = 0; i <= upTo; i++) if (!seqs.has(i)) missing++;
      expect(missing / upTo).toBeLessThan(0.01);
      // sender reports: NTP on the wall clock, counts of what was sent so far
      const sr = reports[reports.length - 1]!;
      const ntpMs = Number(sr.senderInfo.ntpTimestamp >> 32n) * 1000 - 2_208_988_800_000;
      expect(Math.abs(ntpMs - Date.now())).toBeLessThan(60_000);
      expect(sr.senderInfo.packetCount).toBeGreaterThan(0);
      expect(sr.senderInfo.packetCount).toBeLessThanOrEqual(stats.video!.packets);
      expect(sr.senderInfo.octetCount).toBeLessThanOrEqual(stats.video!.bytes);
    } finally {
      await pc.close();
    }
  });
});
