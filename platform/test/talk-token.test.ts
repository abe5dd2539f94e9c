/** Talk tokens and talk URLs: signed claims, expiry, no play-token confusion, URL shapes of appendix 5.6. */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { PlayTokenCodec, TalkTokenCodec, buildTalkUrl, talkCodecOfEncodeType, talkRateSupported, type TalkTokenClaims } from '../src/index.js';

const key = randomBytes(32);
const codec = new TalkTokenCodec(key);
const claims: TalkTokenClaims = { sessionId: 'tlk_1', tenantId: 'ten_1', channelId: 'chn_1', transport: 'RTSP', codec: 'L16', sampleRate: 8000, exp: 2_000_000_000, iat: 1_700_000_000_000 };

describe('talk tokens', () => {
  it('verifies what it signed and nothing else', () => {
    const t = codec.sign(claims);
    expect(t).toMatch(/^tt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(codec.verify(t)).toEqual({ ok: true, claims });
    expect(new TalkTokenCodec(randomBytes(32)).verify(t)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(codec.verify(t.slice(0, -2) + 'AA')).toMatchObject({ ok: false });
    expect(codec.verify(t, claims.exp)).toMatchObject({ ok: false, reason: 'EXPIRED', claims });
    expect(codec.verify('garbage')).toMatchObject({ ok: false, reason: 'MALFORMED' });
    // a play token signed with the same key is not a talk token
    const play = new PlayTokenCodec(key).sign({ grantId: 'g', tenantId: 't', channelId: 'c', stream: 'primary', protocol: 'RTSP', exp: 2_000_000_000, maxUses: 1 });
    expect(codec.verify(play)).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(() => codec.sign({ ...claims, sampleRate: 7 })).toThrow(/sampleRate/);
  });

  it('builds the talk URLs (RTSP as appendix 5.6, WebSocket, WebRTC)', () => {
    const e = { http: 'https://m.example', ws: 'wss://m.example', rtsp: 'rtsp://m.example:8554' };
    expect(buildTalkUrl(e, claims, 'tt1.a.b')).toBe('rtsp://m.example:8554/cam/talk/devices?vcuid=chn_1&encodeType=PCM1&bits=16&sampleRate=8000&token=tt1.a.b');
    expect(buildTalkUrl(e, { ...claims, transport: 'WEBSOCKET' }, 'tt1.a.b')).toBe('wss://m.example/talk/ws?vcuid=chn_1&token=tt1.a.b');
    expect(buildTalkUrl(e, { ...claims, transport: 'WEBRTC' }, 'tt1.a.b')).toBe('https://m.example/talk/webrtc?token=tt1.a.b');
  });

  it('reads encodeType as the spec writes it', () => {
    expect(talkCodecOfEncodeType('PCM1')).toBe('L16');
    expect(talkCodecOfEncodeType('0')).toBe('AAC');
    expect(talkCodecOfEncodeType('1')).toBe('PCMA');
    expect(talkCodecOfEncodeType('g711u')).toBe('PCMU');
    expect(talkCodecOfEncodeType('MP3')).toBeNull();
    expect(talkRateSupported('PCMU', 8000)).toBe(true);
    expect(talkRateSupported('PCMU', 16000)).toBe(false);
    expect(talkRateSupported('OPUS', 48000)).toBe(true);
  });
});
