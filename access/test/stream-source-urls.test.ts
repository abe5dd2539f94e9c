import { describe, it, expect } from 'vitest';
import { rtspDeviceSource } from '../src/drivers/rtsp/rtsp-source.js';
import { isapiStreamSource } from '../src/drivers/isapi/isapi-stream-source.js';
import { SourceUnavailable, type ChannelSource } from '../src/channel-source.js';

const base: ChannelSource = {
  channelId: 'chn_1', channelIndex: 1, tenantId: 't', deviceId: 'dev_1', protocol: 'ISAPI', vendor: 'hikvision',
  address: '192.0.2.10', username: 'admin', password: 'pw',
};

describe('ISAPI live view source', () => {
  it('names Streaming/Channels/<n>01 for the main stream and <n>02 for the sub stream', () => {
    expect(isapiStreamSource(base, 'primary').url).toBe('rtsp://192.0.2.10:554/Streaming/Channels/101');
    expect(isapiStreamSource({ ...base, channelIndex: 3 }, 'sub').url).toBe('rtsp://192.0.2.10:554/Streaming/Channels/302');
  });
  it('takes the host of an http address and a port of host:port', () => {
    expect(isapiStreamSource({ ...base, address: 'http://cam.local:8000' }, 'primary').url).toBe('rtsp://cam.local:554/Streaming/Channels/101');
    expect(isapiStreamSource({ ...base, address: 'cam.local:10554' }, 'primary').url).toBe('rtsp://cam.local:10554/Streaming/Channels/101');
  });
  it('refuses a device without address', () => {
    expect(() => isapiStreamSource({ ...base, address: null }, 'primary')).toThrow(SourceUnavailable);
  });
});

describe('RTSP device source', () => {
  it('uses the address, moves URL credentials out and picks the sub URL when given', () => {
    const s = rtspDeviceSource({ ...base, protocol: 'RTSP', username: null, password: null, address: 'rtsp://u:p%40ss@cam/main|rtsp://cam/sub' }, 'primary');
    expect(s).toEqual({ url: 'rtsp://cam/main', transport: 'tcp', username: 'u', password: 'p@ss' });
    expect(rtspDeviceSource({ ...base, protocol: 'RTSP', address: 'rtsp://cam/main|rtsp://cam/sub' }, 'sub').url).toBe('rtsp://cam/sub');
    expect(rtspDeviceSource({ ...base, protocol: 'RTSP', address: 'rtsp://cam/main' }, 'sub').url).toBe('rtsp://cam/main');
  });
  it('refuses a non-RTSP address', () => {
    expect(() => rtspDeviceSource({ ...base, protocol: 'RTSP', address: 'http://cam' }, 'primary')).toThrow(SourceUnavailable);
  });
});
