import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ArgusError, ConfigError, PlayTokenCodec } from '@argus/platform';
import { buildPlayUrl, checkLiveArgs, mediaEndpointsFromEnv } from '../src/play-rules.js';

describe('mediaEndpointsFromEnv', () => {
  it('defaults to the local media server', () => {
    expect(mediaEndpointsFromEnv({})).toEqual({
      http: 'http://127.0.0.1:8080',
      ws: 'ws://127.0.0.1:8080',
      rtmp: 'rtmp://127.0.0.1:1935',
      rtsp: 'rtsp://127.0.0.1:8554',
    });
  });

  it('derives rtmp/rtsp hosts and ws(s) from MEDIA_PUBLIC_URL, keeps a path prefix, drops trailing slashes', () => {
    expect(mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: 'https://media.example.com/edge/' })).toEqual({
      http: 'https://media.example.com/edge',
      ws: 'wss://media.example.com/edge',
      rtmp: 'rtmp://media.example.com:1935',
      rtsp: 'rtsp://media.example.com:8554',
    });
    expect(mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: 'http://[::1]:9000' }).rtmp).toBe('rtmp://[::1]:1935');
  });

  it('takes MEDIA_RTMP_URL and MEDIA_RTSP_URL as given; empty means unset', () => {
    const e = mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: '', MEDIA_RTMP_URL: 'rtmps://live.example.com', MEDIA_RTSP_URL: 'rtsp://cam.example.com:554/' });
    expect(e).toMatchObject({ http: 'http://127.0.0.1:8080', rtmp: 'rtmps://live.example.com', rtsp: 'rtsp://cam.example.com:554' });
  });

  it('refuses bad URLs naming every variable', () => {
    try {
      mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: 'ftp://x', MEDIA_RTMP_URL: 'http://x', MEDIA_RTSP_URL: 'rtsp://x?y=1' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.split(':')[0])).toEqual(['MEDIA_PUBLIC_URL', 'MEDIA_RTMP_URL', 'MEDIA_RTSP_URL']);
    }
    expect(() => mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
  });
});

describe('buildPlayUrl', () => {
  const e = mediaEndpointsFromEnv({ MEDIA_PUBLIC_URL: 'https://m.example.com' });
  const codec = new PlayTokenCodec(randomBytes(32));
  const token = codec.sign({ grantId: 'pgr_1', tenantId: 'ten_1', channelId: 'chn_1', stream: 'primary', protocol: 'HLS', exp: 2_000_000_000, maxUses: 0 });

  it.each([
    ['RTMP', 'rtmp://m.example.com:1935/live/chn_1/primary'],
    ['FLV', 'https://m.example.com/live/chn_1/primary.flv'],
    ['WS_FLV', 'wss://m.example.com/live/chn_1/primary.flv'],
    ['HLS', 'https://m.example.com/live/chn_1/primary/index.m3u8'],
    ['LL_HLS', 'https://m.example.com/live/chn_1/primary/ll.m3u8'],
    ['RTSP', 'rtsp://m.example.com:8554/live/chn_1/primary'],
    ['WEBRTC', 'https://m.example.com/live/chn_1/primary/whep'],
  ] as const)('%s → %s?token=…', (protocol, prefix) => {
    const url = buildPlayUrl(e, 'chn_1', 'primary', protocol, token);
    expect(url).toBe(`${prefix}?token=${token}`);
    expect(codec.verify(new URL(url.replace(/^\w+:/, 'http:')).searchParams.get('token')!).ok).toBe(true);
  });

  it('uses the sub stream path', () => {
    expect(buildPlayUrl(e, 'chn_1', 'sub', 'FLV', token)).toMatch(/\/live\/chn_1\/sub\.flv\?token=/);
  });
});

describe('checkLiveArgs', () => {
  it('accepts 30 – 86400 s and useTimes >= 0', () => {
    for (const expiresIn of [30, 3600, 86_400]) expect(() => checkLiveArgs({ expiresIn, useTimes: 0 })).not.toThrow();
    expect(() => checkLiveArgs({ expiresIn: 60, useTimes: 5 })).not.toThrow();
  });

  it.each([
    [{ expiresIn: 29, useTimes: 0 }, 'expiresIn'],
    [{ expiresIn: 86_401, useTimes: 0 }, 'expiresIn'],
    [{ expiresIn: 60.5, useTimes: 0 }, 'expiresIn'],
    [{ expiresIn: 60, useTimes: -1 }, 'useTimes'],
    [{ expiresIn: 60, useTimes: 1_000_001 }, 'useTimes'],
  ])('refuses %j (BAD_USER_INPUT on %s)', (args, field) => {
    try {
      checkLiveArgs(args);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ArgusError);
      expect((e as ArgusError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
