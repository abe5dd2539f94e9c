/** The pure parts of the WebRTC module: settings, ICE-server Link headers, public-address candidates, Ogg packets. */
import { describe, expect, it } from 'vitest';
import { webrtcConfigFromEnv, iceServerLinks } from '../src/egress/webrtc/webrtc-config.js';
import { withPublicAddresses } from '../src/egress/webrtc/peer.js';
import { OggSplitter } from '../src/transcode/ogg-splitter.js';

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
