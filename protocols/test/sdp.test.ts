import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseSdp, buildSdp, sdpRtpMap, sdpFmtp, sdpDirection, sdpAttribute, resolveSdpControl, SdpError, type SdpSession } from '../src/index.js';

// What ffmpeg 5 sends in an ANNOUNCE for H.264 + AAC
const FFMPEG_SDP = [
  'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=No Name', 'c=IN IP4 127.0.0.1', 't=0 0', 'a=tool:libavformat 59.27.100',
  'm=video 0 RTP/AVP 96', 'b=AS:200', 'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=,aOvjyyLA; profile-level-id=64001E',
  'a=control:streamid=0',
  'm=audio 0 RTP/AVP 97', 'b=AS:128', 'a=rtpmap:97 MPEG4-GENERIC/44100/2',
  'a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=121056E500',
  'a=control:streamid=1', 'a=recvonly', '',
].join('\r\n');

describe('SDP', () => {
  it('parses an ffmpeg ANNOUNCE description', () => {
    const s = parseSdp(FFMPEG_SDP);
    expect(s.name).toBe('No Name');
    expect(s.media.map((m) => m.type)).toEqual(['video', 'audio']);
    const [v, a] = s.media as [SdpSession['media'][0], SdpSession['media'][0]];
    expect(sdpRtpMap(v, 96)).toEqual({ payloadType: 96, encoding: 'H264', clockRate: 90000 });
    expect(sdpFmtp(v, '96')['sprop-parameter-sets']).toBe('Z2QAHqzZQKAv+XARAAADAAEAAAMAMg8WLZY=,aOvjyyLA');
    expect(sdpAttribute(v.attributes, 'control')).toBe('streamid=0');
    expect(sdpRtpMap(a, 97)).toEqual({ payloadType: 97, encoding: 'MPEG4-GENERIC', clockRate: 44100, channels: 2 });
    expect(sdpFmtp(a, 97).config).toBe('121056E500');
    expect(sdpDirection(a, s)).toBe('recvonly');
    expect(sdpDirection(v, s)).toBe('sendrecv');
  });

  it('builds what it parses', () => {
    const s = parseSdp(FFMPEG_SDP);
    expect(parseSdp(buildSdp(s))).toEqual(s);
    expect(buildSdp(s).endsWith('\r\n')).toBe(true);
  });

  it('resolves controls against a base URL', () => {
    expect(resolveSdpControl('rtsp://h/s/', 'trackID=0')).toBe('rtsp://h/s/trackID=0');
    expect(resolveSdpControl('rtsp://h/s', 'trackID=0')).toBe('rtsp://h/s/trackID=0');
    expect(resolveSdpControl('rtsp://h/s', '*')).toBe('rtsp://h/s');
    expect(resolveSdpControl('rtsp://h/s', 'rtsp://other/x')).toBe('rtsp://other/x');
  });

  it('refuses what is not SDP or too large, with an SdpError', () => {
    expect(() => parseSdp('hello world')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\nm=video x RTP/AVP 96')).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\n' + 'm=video 0 RTP/AVP 96\r\n'.repeat(20))).toThrow(SdpError);
    expect(() => parseSdp('v=0\r\n' + 'a=x\r\n'.repeat(70000))).toThrow(SdpError);
  });

  it('throws nothing but SdpError on arbitrary text', () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('v=0', 'm=audio 0 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=fmtp:96 x', 'o=a b', 'c=IN'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        try {
          const s = parseSdp(lines.join('\r\n'));
          for (const m of s.media) (sdpRtpMap(m, m.formats[0] ?? 0), sdpFmtp(m, 96), sdpDirection(m, s));
        } catch (e) {
          expect(e).toBeInstanceOf(SdpError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
