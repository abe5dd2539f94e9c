import { describe, it, expect } from 'vitest';
import { digestChallenge, digestResponse, parseDigestAuthorization, verifyDigest } from '../src/drivers/http-push/digest.js';
import { NonceStore } from '../src/drivers/http-push/nonce-store.js';
import { channelIdOf, decodeBase64, deviceTime, extensionOf, statusOf } from '../src/drivers/http-push/fields.js';
import { matchRoute } from '../src/drivers/http-push/routes.js';

/** The spec's §4.1 example header, reassembled (notes §2.3); password 123456 (notes §2.4). */
const SPEC_HEADER =
  'Digest username="admin",realm="no auth",nonce="C40Hr6NCxnvamwrO71o1zw==",uri="/v1/device/keepalive",response="42ad032d98035f15fde4b2013930ec06",algorithm="MD5",qop=auth,nc=42,cnonce="bc9d806106d901b02b909a0b93538ef0"';

describe('digest', () => {
  it('reproduces the spec example response (nc hashed as the literal "42", GET)', () => {
    expect(digestResponse({
      username: 'admin', realm: 'no auth', password: '123456', method: 'GET', uri: '/v1/device/keepalive',
      nonce: 'C40Hr6NCxnvamwrO71o1zw==', nc: '42', cnonce: 'bc9d806106d901b02b909a0b93538ef0', qop: 'auth', algorithm: 'MD5',
    })).toBe('42ad032d98035f15fde4b2013930ec06');
  });

  it('parses and verifies the spec header as sent (quoted algorithm, bare qop, no spaces, realm with a space)', () => {
    const creds = parseDigestAuthorization(SPEC_HEADER)!;
    expect(creds).toMatchObject({ username: 'admin', realm: 'no auth', nc: '42', qop: 'auth', algorithm: 'MD5', uri: '/v1/device/keepalive' });
    expect(verifyDigest(creds, '123456', 'GET')).toBe(true);
    expect(verifyDigest(creds, '123456', 'POST')).toBe(false);
    expect(verifyDigest(creds, '1234567', 'GET')).toBe(false);
  });

  it('verifies RFC 2617 §3.5 (Mufasa) and the no-qop RFC 2069 form', () => {
    const rfc = parseDigestAuthorization(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )!;
    expect(verifyDigest(rfc, 'Circle Of Life', 'GET')).toBe(true);
    const noQop = digestResponse({ username: 'u', realm: 'r', password: 'p', method: 'POST', uri: '/x', nonce: 'n' })!;
    expect(verifyDigest(parseDigestAuthorization(`Digest username="u", realm="r", nonce="n", uri="/x", response="${noQop}"`)!, 'p', 'POST')).toBe(true);
  });

  it('refuses incomplete or non-digest credentials and unknown algorithms', () => {
    expect(parseDigestAuthorization('Basic YWRtaW46MTIzNDU2')).toBeNull();
    expect(parseDigestAuthorization('Digest username="admin",realm="x"')).toBeNull();
    const creds = parseDigestAuthorization(SPEC_HEADER.replace('algorithm="MD5"', 'algorithm="SHA-512"'))!;
    expect(verifyDigest(creds, '123456', 'GET')).toBe(false);
  });

  it('keeps commas and escapes inside quoted values', () => {
    const c = parseDigestAuthorization('Digest username="a\\"b", realm="x, y", nonce="n", uri="/p?a=1,2", response="r"')!;
    expect(c).toMatchObject({ username: 'a"b', realm: 'x, y', uri: '/p?a=1,2' });
  });

  it('challenges with realm, qop=auth, MD5 and stale=true when asked', () => {
    expect(digestChallenge('argus', 'abc')).toBe('Digest realm="argus", qop="auth", nonce="abc", algorithm=MD5');
    expect(digestChallenge('argus', 'abc', true)).toMatch(/, stale=true$/);
  });
});

describe('nonce store', () => {
  it('accepts its nonce until the lifetime ends, then calls it expired; foreign or tampered nonces are unknown', () => {
    let now = 1_700_000_000_000;
    const store = new NonceStore(Buffer.alloc(32, 1), 3_600_000, () => now);
    const nonce = store.issue();
    expect(store.check(nonce)).toBe('valid');
    now += 3_599_999;
    expect(store.check(nonce)).toBe('valid');
    now += 1;
    expect(store.check(nonce)).toBe('expired');
    expect(new NonceStore(Buffer.alloc(32, 2), 3_600_000, () => now).check(store.issue())).toBe('unknown');
    const bytes = Buffer.from(nonce, 'base64');
    bytes[0]! ^= 1;
    expect(store.check(bytes.toString('base64'))).toBe('unknown');
    expect(store.check('C40Hr6NCxnvamwrO71o1zw==')).toBe('unknown');
  });
});

describe('report fields', () => {
  it('decodes base64 padded or not, URL-safe, wrapped, as data URI; refuses foreign characters and impossible lengths', () => {
    const want = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x01]);
    for (const s of ['/9j//gE=', '/9j//gE', '_9j__gE', '/9j/\r\n/gE=', 'data:image/jpeg;base64,/9j//gE=']) {
      expect(decodeBase64(s, 'x')).toEqual(want);
    }
    expect(() => decodeBase64('not base64!', 'x')).toThrow(/not valid base64/);
    expect(() => decodeBase64('abcde', 'x')).toThrow(/length/);
    expect(() => decodeBase64('ab=', 'x')).toThrow(/length/);
  });

  it('reads device times at the configured offset, else in the server zone; epoch numbers and zoned ISO as they are', () => {
    expect(deviceTime('2021-07-16 00:00:00', 480)!.toISOString()).toBe('2021-07-15T16:00:00.000Z');
    expect(deviceTime('2021-07-16 00:00:00', 0)!.toISOString()).toBe('2021-07-16T00:00:00.000Z');
    expect(deviceTime('2021-07-16 00:00:00', null)!.getTime()).toBe(new Date(2021, 6, 16, 0, 0, 0).getTime());
    expect(deviceTime('2021-07-16T00:00:00+08:00', 0)!.toISOString()).toBe('2021-07-15T16:00:00.000Z');
    expect(deviceTime(1626393600, 0)!.toISOString()).toBe('2021-07-16T00:00:00.000Z');
    expect(deviceTime('yesterday', 0)).toBeNull();
    expect(deviceTime('2021-13-01 00:00:00', 0)).toBeNull();
  });

  it('reads status in both spellings (alarm_report strings, event_report numbers)', () => {
    expect(['start', 'STOP', 'Pulse', 1, 0, 2, '1'].map(statusOf)).toEqual(['START', 'STOP', 'PULSE', 'START', 'STOP', 'PULSE', 'START']);
    expect(statusOf('start,stop,pulse')).toBeNull();
  });

  it('decodes extensions: base64 JSON, plain JSON, else raw', () => {
    expect(extensionOf(Buffer.from('{"a":1}').toString('base64'))).toEqual({ value: { a: 1 }, form: 'base64-json' });
    expect(extensionOf('{"a":1}')).toEqual({ value: { a: 1 }, form: 'json' });
    expect(extensionOf('XXXXXXX')).toEqual({ value: 'XXXXXXX', form: 'raw' });
    expect(extensionOf('')).toBeUndefined();
  });

  it('maps channel numbers to channels by index; 0 (an IPC in event_report) to channel 1', () => {
    const d = { deviceId: 'd', tenantId: 't', name: 'n', password: 'p', channels: [{ id: 'c1', index: 1 }, { id: 'c2', index: 2 }] };
    expect([channelIdOf(d, 1), channelIdOf(d, 2), channelIdOf(d, 0), channelIdOf(d, 3), channelIdOf(d, undefined)]).toEqual(['c1', 'c2', 'c1', null, null]);
  });

  it('matches interface paths verbatim, also behind a path prefix', () => {
    expect(matchRoute('/v1/uns/reviceMonitorPointRecord/alarm_report')?.name).toBe('alarm_report');
    expect(matchRoute('/v1/uns/receiveMonitorPointRecord/alarm_report')).toBeUndefined();
    expect(matchRoute('/argus/push/v1/device/keepalive/')?.name).toBe('keepalive');
    expect(matchRoute('/rs/env/reportData.do')?.name).toBe('reportData.do');
  });
});
