import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  RtspStreamParser, RtspError, RtspErrorCode, serializeRtspRequest, serializeRtspResponse, serializeRtspInterleaved,
  rtspHeader, rtspHeaderValues, parseRtspTransport, buildRtspTransport, parseRtspSession, buildRtspSession,
  parseRtspRtpInfo, buildRtspRtpInfo, matchRtspControl, parseRtspAuthChallenges, buildRtspAuthorization,
  parseRtspAuthorization, rtspDigestResponse, verifyRtspDigest, type RtspStreamItem,
} from '../src/index.js';

const describeReq = 'DESCRIBE rtsp://h/live/c/primary?token=x RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n';

function parseAll(chunks: Buffer[]): RtspStreamItem[] {
  const p = new RtspStreamParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('RTSP stream parser', () => {
  it('parses a request, a response with a body and interleaved frames on one stream', () => {
    const body = 'v=0\r\n';
    const stream = Buffer.concat([
      Buffer.from(describeReq),
      Buffer.from([0x24, 1, 0, 3, 9, 8, 7]),
      Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    ]);
    const items = parseAll([stream]);
    expect(items.map((i) => i.type)).toEqual(['request', 'interleaved', 'response']);
    const req = items[0]!.type === 'request' ? items[0].request : null;
    expect(req).toMatchObject({ method: 'DESCRIBE', uri: 'rtsp://h/live/c/primary?token=x', version: 'RTSP/1.0' });
    expect(rtspHeader(req!.headers, 'cseq')).toBe('2');
    expect(items[1]).toEqual({ type: 'interleaved', channel: 1, payload: Buffer.from([9, 8, 7]) });
    const res = items[2]!.type === 'response' ? items[2].response : null;
    expect(res?.status).toBe(200);
    expect(res?.body.toString()).toBe(body);
  });

  it('gives the same items whatever the chunking', () => {
    const whole = Buffer.concat([
      serializeRtspRequest({ method: 'ANNOUNCE', uri: 'rtsp://h/x', headers: [['CSeq', '1']], body: 'v=0\r\nm=video 0 RTP/AVP 96\r\n' }),
      serializeRtspInterleaved(0, Buffer.alloc(300, 7)),
      serializeRtspResponse({ status: 401, headers: [['WWW-Authenticate', 'Basic realm="r"']] }),
    ]);
    const expected = parseAll([whole]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: whole.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, whole.length]) (chunks.push(whole.subarray(prev, p)), (prev = p));
        expect(parseAll(chunks)).toEqual(expected);
      }),
    );
  });

  it('rejects garbage, malformed start lines and oversize heads with an RtspError', () => {
    const code = (input: string | Buffer, limits = {}) => {
      try {
        new RtspStreamParser(limits).push(Buffer.isBuffer(input) ? input : Buffer.from(input));
        return 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(RtspError);
        return (e as RtspError).code;
      }
    };
    expect(code(Buffer.from([0x16, 0x03, 0x01, 0, 0]))).toBe(RtspErrorCode.BAD_START_LINE);
    expect(code('HELLO\r\n\r\n')).toBe(RtspErrorCode.BAD_START_LINE);
    expect(code('PLAY rtsp://x\r\n\r\n')).toBe(RtspErrorCode.BAD_START_LINE);
    expect(code('OPTIONS * RTSP/1.0\r\nno colon here\r\n\r\n')).toBe(RtspErrorCode.BAD_HEADER);
    expect(code('OPTIONS * RTSP/1.0\r\nContent-Length: -1\r\n\r\n')).toBe(RtspErrorCode.BAD_HEADER);
    expect(code('OPTIONS * RTSP/1.0\r\nContent-Length: 99999999\r\n\r\n')).toBe(RtspErrorCode.TOO_LARGE);
    expect(code(`OPTIONS * RTSP/1.0\r\nX: ${'a'.repeat(20000)}`)).toBe(RtspErrorCode.TOO_LARGE);
    expect(code('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n')).toBe('ok'); // incomplete: waits
  });

  it('never throws anything but RtspError on arbitrary bytes, and never buffers past its limits', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }), (chunks) => {
        const p = new RtspStreamParser({ maxHeaderBytes: 512, maxBodyBytes: 512 });
        try {
          for (const c of chunks) p.push(Buffer.from(c));
          expect(p.buffered).toBeLessThanOrEqual(512 + 70000);
        } catch (e) {
          expect(e).toBeInstanceOf(RtspError);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          new RtspStreamParser().push(Buffer.from(`OPTIONS * RTSP/1.0\r\n${s}\r\n\r\n`));
        } catch (e) {
          expect(e).toBeInstanceOf(RtspError);
        }
      }),
    );
  });

  it('serializes responses with Content-Length and refuses header injection', () => {
    const out = serializeRtspResponse({ status: 200, headers: [['CSeq', '3'], ['Content-Type', 'application/sdp']], body: 'abc' }).toString();
    expect(out).toBe('RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n\r\nabc');
    expect(() => serializeRtspResponse({ status: 200, headers: [['X', 'a\r\nEvil: 1']] })).toThrow(TypeError);
    expect(rtspHeaderValues([['a', '1'], ['A', '2']], 'A')).toEqual(['1', '2']);
  });
});

describe('RTSP headers', () => {
  it('parses and builds Transport', () => {
    const [tcp] = parseRtspTransport('RTP/AVP/TCP;unicast;interleaved=2-3;mode=record');
    expect(tcp).toEqual({ profile: 'RTP/AVP', lowerTransport: 'TCP', multicast: false, interleaved: [2, 3], mode: 'record' });
    const offers = parseRtspTransport('RTP/AVP;unicast;client_port=5000-5001;mode="PLAY", RTP/AVP/TCP;interleaved=0-1');
    expect(offers).toHaveLength(2);
    expect(offers[0]).toMatchObject({ lowerTransport: 'UDP', clientPort: [5000, 5001], mode: 'play' });
    const built = buildRtspTransport({ ...offers[0]!, serverPort: [8000, 8001], ssrc: 0xab });
    expect(built).toBe('RTP/AVP;unicast;client_port=5000-5001;server_port=8000-8001;ssrc=000000AB;mode=play');
    expect(parseRtspTransport(built)[0]).toMatchObject({ serverPort: [8000, 8001], ssrc: 0xab });
    for (const bad of ['', 'HTTP/1.1', 'RTP/AVP;client_port=99999', 'RTP/AVP/TCP;interleaved=x']) {
      expect(() => parseRtspTransport(bad)).toThrow(RtspError);
    }
  });

  it('parses Session, RTP-Info and matches controls', () => {
    expect(parseRtspSession('12345678;timeout=60')).toEqual({ id: '12345678', timeout: 60 });
    expect(buildRtspSession({ id: 'ab', timeout: 60 })).toBe('ab;timeout=60');
    expect(() => parseRtspSession('a b')).toThrow(RtspError);
    const info = buildRtspRtpInfo([{ url: 'rtsp://h/s/trackID=0', seq: 1, rtptime: 4294967295 }, { url: 'rtsp://h/s/trackID=1', seq: 7, rtptime: 0 }]);
    expect(parseRtspRtpInfo(info)).toEqual([{ url: 'rtsp://h/s/trackID=0', seq: 1, rtptime: 4294967295 }, { url: 'rtsp://h/s/trackID=1', seq: 7, rtptime: 0 }]);
    const controls = ['trackID=0', 'trackID=1'];
    expect(matchRtspControl('rtsp://h/live/c/primary/trackID=1', controls)).toBe(1);
    expect(matchRtspControl('rtsp://h/live/c/primary?token=abc/trackID=0', controls)).toBe(0);
    expect(matchRtspControl('rtsp://h/live/c/primary/trackID=10', controls)).toBe(-1);
  });
});

describe('RTSP authentication', () => {
  it('computes the RFC 2617 digest example', () => {
    expect(rtspDigestResponse({
      username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('answers Digest and Basic challenges, and the server side verifies them', () => {
    const challenges = parseRtspAuthChallenges(['Digest realm="cam, inc", nonce="abc123", opaque="o", qop="auth,auth-int"', 'Basic realm="cam"']);
    expect(challenges[0]).toEqual({ scheme: 'Digest', params: { realm: 'cam, inc', nonce: 'abc123', opaque: 'o', qop: 'auth,auth-int' } });
    const header = buildRtspAuthorization({ challenge: challenges[0]!, username: 'admin', password: 'pw', method: 'DESCRIBE', uri: 'rtsp://h/s', cnonce: 'c1' });
    expect(header).toContain('qop=auth');
    const creds = parseRtspAuthorization(header);
    expect(creds.scheme).toBe('Digest');
    const params = creds.scheme === 'Digest' ? creds.params : {};
    expect(verifyRtspDigest(params, { realm: 'cam, inc', nonce: 'abc123', method: 'DESCRIBE', password: 'pw' })).toBe(true);
    expect(verifyRtspDigest(params, { realm: 'cam, inc', nonce: 'abc123', method: 'DESCRIBE', password: 'nope' })).toBe(false);
    expect(verifyRtspDigest(params, { realm: 'cam, inc', nonce: 'abc123', method: 'PLAY', password: 'pw' })).toBe(false);
    // RFC 2069 style (no qop)
    const plain = buildRtspAuthorization({ challenge: { scheme: 'Digest', params: { realm: 'r', nonce: 'n' } }, username: 'u', password: 'p', method: 'PLAY', uri: '/x' });
    const p2 = parseRtspAuthorization(plain);
    expect(p2.scheme === 'Digest' && verifyRtspDigest(p2.params, { realm: 'r', nonce: 'n', method: 'PLAY', password: 'p' })).toBe(true);
    const basic = buildRtspAuthorization({ challenge: challenges[1]!, username: 'u', password: 'p:w', method: 'PLAY', uri: '/x' });
    expect(parseRtspAuthorization(basic)).toEqual({ scheme: 'Basic', username: 'u', password: 'p:w' });
  });

  it('throws only RtspError on arbitrary auth headers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        for (const f of [() => parseRtspAuthChallenges([s]), () => parseRtspAuthorization(s), () => parseRtspTransport(s), () => parseRtspSession(s)]) {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(RtspError);
          }
        }
        parseRtspRtpInfo(s);
      }),
      { numRuns: 500 },
    );
  });
});
