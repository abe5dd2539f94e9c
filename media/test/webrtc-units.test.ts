/** The pure parts of the WebRTC module: settings, ICE-server Link headers, public-address candidates, Ogg packets. */
import { describe, expect, it } from 'vitest';
import { webrtcConfigFromEnv, iceServerLinks } from '../src/egress/webrtc/webrtc-config.js';
import { withPublicAddresses } from '../src/egress/webrtc/peer.js';
import { OggSplitter } from '../src/transcode/ogg-splitter.js';
import { planWhep } from '../src/egress/webrtc/whep-session.js';
import { BadOffer } from '../src/egress/webrtc/peer.js';
import { Stream, type Tracks } from '../src/hub/index.js';
import { parseSdp } from '@argus/protocols';

describe('WebRTC settings', () => {
  it('reads public addresses, the port range, ICE-TCP and ICE servers', () => {
    const c = webrtcConfigFromEnv({
      MEDIA_WEBRTC_PUBLIC_IP: '203.0.113.7', MEDIA_WEBRTC_UDP_PORTS: '40000-40100', MEDIA_WEBRTC_ICE_TCP: 'true',
      MEDIA_WEBRTC_ICE_SERVERS: '[{"urls":["turn:turn.example.net:3478?transport=udp"],"username":"u","credential":"p\\"q"}]',
      MEDIA_WEBRTC_ICE_TIMEOUT_MS: '5000',
    });
    expect(c).toMatchObject({ publicIps: ['203.0.113.7'], portRange: [40000, 40100], iceTcp: true, iceTimeoutMs: 5000, interfaceCandidates: true });
    expect(iceServerLinks(c.iceServers)).toEqual([
      '<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="u"; credential="p\\"q"; credential-type="password"',
    ]);
    expect(webrtcConfigFromEnv({ MEDIA_WEBRTC_ICE_SERVERS: 'stun:a.example:3478, stun:b.example' }).iceServers).toEqual([{ urls: 'stun:a.example:3478' }, { urls: 'stun:b.example' }]);
    expect(webrtcConfigFromEnv({}).portRange).toBeNull();
  });

  it('refuses bad values with the variable named', () => {
    expect(() => webrtcConfigFromEnv({ MEDIA_WEBRTC_PUBLIC_IP: 'example.com' })).toThrow(/MEDIA_WEBRTC_PUBLIC_IP/);
    expect(() => webrtcConfigFromEnv({ MEDIA_WEBRTC_UDP_PORTS: '5000-5000' })).toThrow(/MEDIA_WEBRTC_UDP_PORTS/);
    expect(() => webrtcConfigFromEnv({ MEDIA_WEBRTC_ICE_SERVERS: 'http://x' })).toThrow(/not a stun/);
    expect(() => webrtcConfigFromEnv({ MEDIA_WEBRTC_ICE_TCP: 'maybe' })).toThrow(/MEDIA_WEBRTC_ICE_TCP/);
    expect(() => webrtcConfigFromEnv({ MEDIA_WEBRTC_INTERFACES: 'false' })).toThrow(/needs MEDIA_WEBRTC_PUBLIC_IP/);
  });
});

describe('public addresses in the answer', () => {
  const sdp = ['v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=candidate:1 1 udp 2130706431 192.0.2.2 50000 typ host', 'a=candidate:2 1 tcp 1671430143 192.0.2.2 50001 typ host tcptype passive', 'a=end-of-candidates', ''].join('\r\n');
  it('adds a host candidate on the public address with the same port and transport', () => {
    const out = withPublicAddresses(sdp, { publicIps: ['203.0.113.7'], interfaceCandidates: true });
    expect(out).toContain('a=candidate:1 1 udp 2130706431 192.0.2.2 50000 typ host');
    expect(out).toContain('a=candidate:1p0 1 udp 2130706430 203.0.113.7 50000 typ host');
    expect(out).toContain('a=candidate:2p0 1 tcp 1671430142 203.0.113.7 50001 typ host tcptype passive');
  });
  it('announces only the public address when told to', () => {
    const out = withPublicAddresses(sdp, { publicIps: ['203.0.113.7'], interfaceCandidates: false });
    expect(out).not.toContain('192.0.2.2');
    expect(out.match(/a=candidate/g)).toHaveLength(2);
  });
});

describe('Ogg packets', () => {
  function page(packets: Buffer[], continued = false, seq = 0): Buffer {
    const lacing: number[] = [];
    for (const p of packets) {
      let n = p.length;
      while (n >= 255) {
        lacing.push(255);
        n -= 255;
      }
      lacing.push(n);
    }
    const header = Buffer.alloc(27);
    header.write('OggS', 0, 'latin1');
    header[5] = continued ? 1 : 0;
    header.writeUInt32LE(seq, 18);
    header[26] = lacing.length;
    return Buffer.concat([header, Buffer.from(lacing), ...packets]);
  }

  it('splits packets across arbitrary chunk boundaries and skips garbage', () => {
    const a = Buffer.alloc(300, 1);
    const b = Buffer.from('opus-packet');
    const stream = Buffer.concat([Buffer.from('junk'), page([a, b]), page([Buffer.alloc(10, 2)], false, 1)]);
    const s = new OggSplitter();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 7) out.push(...s.push(stream.subarray(i, i + 7)));
    expect(out.map((p) => p.length)).toEqual([300, 11, 10]);
    expect(out[1]!.toString()).toBe('opus-packet');
    expect(s.skipped).toBe(4);
  });
});

describe('what a WHEP session sends', () => {
  const offer = (video: string[]) => parseSdp([
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
    `m=video 9 UDP/TLS/RTP/SAVPF ${video.map((v) => v.split(' ')[0]).join(' ')}`, 'a=mid:0', 'a=recvonly',
    ...video.map((v) => `a=rtpmap:${v}`),
    'a=fmtp:102 packetization-mode=1;profile-level-id=42e01f',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8', 'a=mid:1', 'a=recvonly', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
  ].join('\r\n'));
  const stream = (video: 'H264' | 'H265', audio: 'AAC' | 'PCMU' | 'OPUS' | null) => {
    const s = new Stream('live/u/primary', { protocol: 'INTERNAL' });
    s.setTracks({
      video: { kind: 'video', codec: video, parameterSets: [] },
      ...(audio ? { audio: { kind: 'audio', codec: audio, sampleRate: audio === 'PCMU' ? 8000 : 48000, channels: audio === 'PCMU' ? 1 : 2, ...(audio === 'AAC' ? { config: Buffer.from([0x11, 0x90]) } : {}) } } : {}),
    } as Tracks);
    return s;
  };

  it('sends H.264 and passes G.711 through, transcodes AAC to Opus', () => {
    const a = planWhep(stream('H264', 'PCMU'), offer(['96 VP8/90000', '102 H264/90000']));
    expect(a.plan.video?.codec).toBe('H264');
    expect(a.plan.audio).toMatchObject({ codec: 'PCMU', transcode: false });
    expect(a.sdp).toContain('m=video 9 UDP/TLS/RTP/SAVPF 102\r\n');
    expect(a.sdp).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n');
    const b = planWhep(stream('H264', 'AAC'), offer(['102 H264/90000']));
    expect(b.plan.audio).toMatchObject({ codec: 'OPUS', transcode: true });
  });

  it('sends H.265 to a browser that offers it, and refuses with a reason one that does not', () => {
    expect(planWhep(stream('H265', null), offer(['102 H264/90000', '49 H265/90000'])).plan.video?.codec).toBe('H265');
    expect(() => planWhep(stream('H265', null), offer(['102 H264/90000']))).toThrow(/H\.265 .*cannot receive it/);
    expect(() => planWhep(stream('H264', null), offer(['96 VP8/90000']))).toThrow(BadOffer);
  });
});
