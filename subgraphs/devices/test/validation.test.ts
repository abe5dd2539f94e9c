import { describe, expect, it } from 'vitest';
import { ArgusError } from '@argus/platform';
import { checkAddress, checkChannelPatch, checkCreateDevice, checkUpdateDevice, defaultChannelName, parseStatusEvent } from '../src/validation.js';
import { ChannelKind, DeviceProtocol } from '../src/model.js';

function refusal(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgusError);
    return { code: (e as ArgusError).code, field: (e as ArgusError).extensions.field };
  }
  throw new Error('expected a refusal');
}

const base = { name: ' Lobby ', protocol: DeviceProtocol.ISAPI, deviceCode: ' HK-01 ' };

describe('checkCreateDevice', () => {
  it('normalises and fills defaults', () => {
    expect(checkCreateDevice({ ...base, vendor: '  ', address: '10.0.0.5:8000', password: 'p' })).toEqual({
      name: 'Lobby', protocol: 'ISAPI', deviceCode: 'HK-01', vendor: null, model: null, firmware: null,
      address: '10.0.0.5:8000', username: null, password: 'p', groupId: null, channels: [],
    });
  });

  it('makes channelCount VIDEO channels named "<device> CH<n>"', () => {
    const plan = checkCreateDevice({ ...base, channelCount: 3 });
    expect(plan.channels).toEqual([1, 2, 3].map((i) => ({ index: i, name: `Lobby CH${i}`, kind: 'VIDEO', ptzCapable: false })));
  });

  it('takes explicit channels with defaults', () => {
    expect(checkCreateDevice({ ...base, channels: [{ index: 2, kind: ChannelKind.ALARM_IN }, { index: 1, name: ' Door ', ptzCapable: true }] }).channels).toEqual([
      { index: 2, name: 'Lobby CH2', kind: 'ALARM_IN', ptzCapable: false },
      { index: 1, name: 'Door', kind: 'VIDEO', ptzCapable: true },
    ]);
  });

  it('names the offending field', () => {
    expect(refusal(() => checkCreateDevice({ ...base, name: '' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(refusal(() => checkCreateDevice({ ...base, name: 'x'.repeat(129) })).field).toBe('name');
    expect(refusal(() => checkCreateDevice({ ...base, name: 'a\u0007b' })).field).toBe('name');
    expect(refusal(() => checkCreateDevice({ ...base, deviceCode: 'has space' })).field).toBe('deviceCode');
    expect(refusal(() => checkCreateDevice({ ...base, deviceCode: '-x' })).field).toBe('deviceCode');
    expect(refusal(() => checkCreateDevice({ ...base, protocol: 'ONVIF' as DeviceProtocol })).field).toBe('protocol');
    expect(refusal(() => checkCreateDevice({ ...base, password: '' })).field).toBe('password');
    expect(refusal(() => checkCreateDevice({ ...base, channelCount: 2, channels: [] })).field).toBe('channelCount');
    expect(refusal(() => checkCreateDevice({ ...base, channelCount: -1 })).field).toBe('channelCount');
    expect(refusal(() => checkCreateDevice({ ...base, channelCount: 1025 })).field).toBe('channelCount');
    expect(refusal(() => checkCreateDevice({ ...base, channels: [{ index: 1 }, { index: 0 }] })).field).toBe('channels[1].index');
    expect(refusal(() => checkCreateDevice({ ...base, channels: [{ index: 3 }, { index: 3 }] })).field).toBe('channels[1].index');
    expect(refusal(() => checkCreateDevice({ ...base, channels: [{ index: 1, name: 'a\u0001b' }] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'channels[0].name' });
  });
});

describe('checkAddress', () => {
  it('accepts hosts, IPs with ports and URLs', () => {
    for (const ok of ['cam1.local', '10.0.0.5', '10.0.0.5:8000', '[fe80::1]:554', 'rtsp://admin@10.0.0.5:554/Streaming/Channels/101', 'https://nvr.example.com']) {
      expect(checkAddress(ok)).toBe(ok);
    }
    expect(checkAddress('  ')).toBeNull();
    expect(checkAddress(null)).toBeNull();
  });

  it('refuses anything else', () => {
    for (const bad of ['not a host', 'cam:99999', 'http://', '-bad-.com', 'a_b.local']) expect(refusal(() => checkAddress(bad)).field).toBe('address');
  });
});

describe('checkUpdateDevice', () => {
  it('keeps absent fields, clears optional ones with null', () => {
    expect(checkUpdateDevice({})).toEqual({});
    expect(checkUpdateDevice({ vendor: null, password: null, name: ' New ' })).toEqual({ vendor: null, password: null, name: 'New' });
  });

  it('refuses null for required fields', () => {
    expect(refusal(() => checkUpdateDevice({ name: null as unknown as string })).field).toBe('name');
    expect(refusal(() => checkUpdateDevice({ deviceCode: null as unknown as string })).field).toBe('deviceCode');
  });
});

describe('checkChannelPatch', () => {
  it('validates only what is given', () => {
    expect(checkChannelPatch({ ptzCapable: true })).toEqual({ ptzCapable: true });
    expect(refusal(() => checkChannelPatch({ index: 4097 })).field).toBe('index');
    expect(refusal(() => checkChannelPatch({ name: null })).field).toBe('name');
  });
});

describe('defaultChannelName', () => {
  it('stays within the name limit', () => {
    expect(defaultChannelName('x'.repeat(128), 12).length).toBe(128);
    expect(defaultChannelName('x'.repeat(128), 12).endsWith(' CH12')).toBe(true);
  });
});

describe('parseStatusEvent', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  it('accepts ISO or epoch times and any case', () => {
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'online', at: '2024-05-01T09:00:00Z' }, now)).toEqual({
      tenantId: 't', deviceId: 'd', status: 'ONLINE', at: new Date('2024-05-01T09:00:00Z'),
    });
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'OFFLINE' }, now)!.at).toEqual(new Date(now));
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'OFFLINE', at: now - 1 }, now)!.at).toEqual(new Date(now - 1));
  });

  it('clamps far-future times and drops unusable reports', () => {
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'ONLINE', at: now + 3600_000 }, now)!.at).toEqual(new Date(now));
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'BROKEN' }, now)).toBeNull();
    expect(parseStatusEvent({ deviceId: 'd', status: 'ONLINE' }, now)).toBeNull();
    expect(parseStatusEvent({ tenantId: 't', deviceId: 'd', status: 'ONLINE', at: 'yesterday' }, now)).toBeNull();
    expect(parseStatusEvent(null, now)).toBeNull();
  });
});
