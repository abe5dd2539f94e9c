import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import {
  PlayTokenCodec, PLAY_PROTOCOLS, playPath, MAX_PLAY_TOKEN_LENGTH, type PlayTokenClaims,
} from '../src/auth/play-token.js';

const key = randomBytes(32);
const codec = new PlayTokenCodec(key);
const now = 1_700_000_000;
const claims: PlayTokenClaims = {
  grantId: 'pgr_01hx0000000000000000000000',
  tenantId: 'ten_01hx0000000000000000000000',
  channelId: 'chn_01hx0000000000000000000000',
  stream: 'primary',
  protocol: 'FLV',
  exp: now + 3600,
  maxUses: 0,
};

describe('PlayTokenCodec', () => {
  it('round-trips claims through a compact url-safe string', () => {
    const token = codec.sign(claims);
    expect(token).toMatch(/^pt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(260);
    expect(codec.verify(token, now)).toEqual({ ok: true, claims });
  });

  it('keeps every protocol, both streams and maxUses', () => {
    for (const protocol of PLAY_PROTOCOLS) {
      for (const stream of ['primary', 'sub'] as const) {
        const c = { ...claims, protocol, stream, maxUses: 7 };
        expect(codec.verify(codec.sign(c), now)).toEqual({ ok: true, claims: c });
      }
    }
  });

  it('reports EXPIRED at and after exp, with the claims', () => {
    const token = codec.sign(claims);
    expect(codec.verify(token, claims.exp - 1).ok).toBe(true);
    expect(codec.verify(token, claims.exp)).toEqual({ ok: false, reason: 'EXPIRED', claims });
    expect(codec.verify(token, claims.exp + 100).ok).toBe(false);
  });

  it('reports BAD_SIGNATURE for another key and for tampered claims', () => {
    const token = codec.sign(claims);
    expect(new PlayTokenCodec(randomBytes(32)).verify(token, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    const [prefix, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify([1, claims.grantId, claims.tenantId, 'chn_other', 'primary', 'FLV', claims.exp, 0])).toString('base64url');
    expect(codec.verify(`${prefix}.${forged}.${sig}`, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    const flipped = sig!.slice(0, -2) + (sig!.at(-2) === 'A' ? 'B' : 'A') + sig!.at(-1);
    expect(codec.verify(`${prefix}.${token.split('.')[1]}.${flipped}`, now)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('reports MALFORMED for anything that is not a token', () => {
    const token = codec.sign(claims);
    for (const bad of ['', 'pt1.', 'pt1..', 'x' + token, token.replace('pt1.', 'pt2.'), `${token}.x`, token.slice(0, -1), 'pt1.a b.c', 'a'.repeat(MAX_PLAY_TOKEN_LENGTH + 1)]) {
      expect(codec.verify(bad, now)).toEqual({ ok: false, reason: 'MALFORMED' });
    }
    expect(codec.verify(undefined as unknown as string, now)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('reports MALFORMED for a well-signed body that does not hold valid claims', () => {
    const sign = (value: unknown) => {
      const body = Buffer.from(JSON.stringify(value)).toString('base64url');
      return `pt1.${body}.${createHmac('sha256', key).update(`pt1.${body}`).digest('base64url')}`;
    };
    const good = [1, claims.grantId, claims.tenantId, claims.channelId, 'primary', 'FLV', claims.exp, 0];
    expect(codec.verify(sign(good), now).ok).toBe(true);
    for (const bad of [
      { ...claims },
      [2, ...good.slice(1)],
      good.slice(0, 7),
      Object.assign([...good], { 4: 'main' }),
      Object.assign([...good], { 5: 'SRT' }),
      Object.assign([...good], { 6: '1700003600' }),
      Object.assign([...good], { 7: -1 }),
      Object.assign([...good], { 7: 1.5 }),
      Object.assign([...good], { 3: '' }),
    ]) {
      expect(codec.verify(sign(bad), now)).toEqual({ ok: false, reason: 'MALFORMED' });
    }
  });

  it('refuses to sign invalid claims and short keys', () => {
    expect(() => codec.sign({ ...claims, maxUses: -1 })).toThrow(/maxUses/);
    expect(() => codec.sign({ ...claims, stream: 'main' as 'primary' })).toThrow(/stream/);
    expect(() => new PlayTokenCodec(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('derives its key from the configuration', () => {
    const config = { deriveKey: (purpose: string) => Buffer.alloc(32, purpose.length) };
    const a = PlayTokenCodec.fromConfig(config);
    expect(new PlayTokenCodec(Buffer.alloc(32, 'play-tokens'.length)).verify(a.sign(claims), now).ok).toBe(true);
  });
});

describe('playPath', () => {
  it('builds live/<channel>/<stream> plus the protocol suffix', () => {
    expect(playPath('chn_1', 'primary', 'FLV')).toBe('live/chn_1/primary.flv');
    expect(playPath('chn_1', 'sub', 'HLS')).toBe('live/chn_1/sub/index.m3u8');
    expect(playPath('chn_1', 'sub', 'LL_HLS')).toBe('live/chn_1/sub/ll.m3u8');
    expect(playPath('chn_1', 'primary', 'WEBRTC')).toBe('live/chn_1/primary/whep');
    expect(playPath('chn_1', 'primary', 'RTMP')).toBe('live/chn_1/primary');
    expect(playPath('a/b', 'primary', 'RTSP')).toBe('live/a%2Fb/primary');
  });
});
