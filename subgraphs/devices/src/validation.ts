import { badInput } from '@argus/platform';
import { ChannelKind, DeviceProtocol, LIMITS } from './model.js';

/**
 * Validation and normalisation of mutation inputs (pure, unit-tested). Every refusal is
 * BAD_USER_INPUT naming the offending input field; nothing is written before these pass.
 */

export interface ChannelInputShape {
  index?: number | null;
  name?: string | null;
  kind?: ChannelKind | null;
  ptzCapable?: boolean | null;
}

export interface CreateDeviceInputShape {
  name: string;
  protocol: DeviceProtocol;
  deviceCode: string;
  vendor?: string | null;
  model?: string | null;
  firmware?: string | null;
  address?: string | null;
  username?: string | null;
  password?: string | null;
  groupId?: string | null;
  channels?: ChannelInputShape[] | null;
  channelCount?: number | null;
}

export type UpdateDeviceInputShape = Partial<Omit<CreateDeviceInputShape, 'groupId' | 'channels' | 'channelCount'>>;

export interface ChannelSpec {
  index: number;
  name: string;
  kind: ChannelKind;
  ptzCapable: boolean;
}

export interface DeviceFields {
  name: string;
  protocol: DeviceProtocol;
  deviceCode: string;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  address: string | null;
  username: string | null;
  password: string | null;
}

export interface CreateDevicePlan extends DeviceFields {
  groupId: string | null;
  channels: ChannelSpec[];
}

/** Fields to change: absent = keep, null = clear (optional fields only). */
export type DevicePatch = Partial<DeviceFields>;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const DEVICE_CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;

/** A required display name: trimmed, 1–128 characters, no control characters. */
export function checkName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw badInput(field, 'is required');
  const v = value.trim();
  if (!v) throw badInput(field, 'must not be empty');
  if (v.length > LIMITS.name) throw badInput(field, `must be at most ${LIMITS.name} characters`);
  if (CONTROL.test(v)) throw badInput(field, 'must not contain control characters');
  return v;
}

/** An optional short text: trimmed; empty or null clears it. */
function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null) return null;
  const v = value.trim();
  if (!v) return null;
  if (v.length > max) throw badInput(field, `must be at most ${max} characters`);
  if (CONTROL.test(v)) throw badInput(field, 'must not contain control characters');
  return v;
}

export function checkDeviceCode(value: unknown, field = 'deviceCode'): string {
  if (typeof value !== 'string' || !value.trim()) throw badInput(field, 'is required');
  const v = value.trim();
  if (v.length > LIMITS.deviceCode) throw badInput(field, `must be at most ${LIMITS.deviceCode} characters`);
  if (!DEVICE_CODE.test(v)) throw badInput(field, 'may contain only letters, digits and . _ : - (and must start with a letter or digit)');
  return v;
}

export function checkProtocol(value: unknown, field = 'protocol'): DeviceProtocol {
  if (!Object.values(DeviceProtocol).includes(value as DeviceProtocol)) {
    throw badInput(field, `must be one of ${Object.values(DeviceProtocol).join(', ')}`);
  }
  return value as DeviceProtocol;
}

/** A host ("cam1.local", "10.0.0.5:8000", "[fe80::1]:554") or a URL ("rtsp://10.0.0.5:554/Streaming/101"). */
export function checkAddress(value: string | null | undefined, field = 'address'): string | null {
  const v = optionalText(value, field, LIMITS.address);
  if (v === null) return null;
  if (v.includes('://')) {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      throw badInput(field, 'is not a valid URL');
    }
    if (!url.hostname) throw badInput(field, 'URL must name a host');
    return v;
  }
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(v)!;
  const host = m[1]!;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) throw badInput(field, 'port must be between 1 and 65535');
  if (!HOST.test(host) && !IPV6.test(host)) throw badInput(field, 'must be a host name or IP address, optionally with :port, or a URL');
  return v;
}

export function checkPassword(value: string | null | undefined, field = 'password'): string | null {
  if (value === null || value === undefined) return null;
  if (value.length === 0) throw badInput(field, 'must not be empty; pass null to remove the password');
  if (value.length > LIMITS.password) throw badInput(field, `must be at most ${LIMITS.password} characters`);
  return value;
}

export function checkChannelIndex(value: unknown, field = 'index'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxChannelIndex) {
    throw badInput(field, `must be an integer between 1 and ${LIMITS.maxChannelIndex}`);
  }
  return value;
}

export function defaultChannelName(deviceName: string, index: number): string {
  const name = `${deviceName} CH${index}`;
  return name.length <= LIMITS.name ? name : `${deviceName.slice(0, LIMITS.name - `CH${index}`.length - 1)} CH${index}`;
}

/** A channel of createDevice/addChannel; name defaults to "<device> CH<n>". */
export function checkChannelInput(input: ChannelInputShape, deviceName: string, prefix = ''): ChannelSpec {
  const index = checkChannelIndex(input.index, `${prefix}index`);
  const name = input.name == null || !input.name.trim() ? defaultChannelName(deviceName, index) : checkName(input.name, `${prefix}name`);
  const kind = input.kind ?? ChannelKind.VIDEO;
  if (!Object.values(ChannelKind).includes(kind)) throw badInput(`${prefix}kind`, `must be one of ${Object.values(ChannelKind).join(', ')}`);
  return { index, name, kind, ptzCapable: input.ptzCapable ?? false };
}

/** Changes to a channel: absent = keep. */
export function checkChannelPatch(input: ChannelInputShape): Partial<ChannelSpec> {
  const patch: Partial<ChannelSpec> = {};
  if (input.index !== undefined) patch.index = checkChannelIndex(input.index, 'index');
  if (input.name !== undefined) patch.name = checkName(input.name, 'name');
  if (input.kind !== undefined) {
    if (!Object.values(ChannelKind).includes(input.kind as ChannelKind)) throw badInput('kind', `must be one of ${Object.values(ChannelKind).join(', ')}`);
    patch.kind = input.kind as ChannelKind;
  }
  if (input.ptzCapable !== undefined) {
    if (typeof input.ptzCapable !== 'boolean') throw badInput('ptzCapable', 'must be true or false');
    patch.ptzCapable = input.ptzCapable;
  }
  return patch;
}

export function checkCreateDevice(input: CreateDeviceInputShape): CreateDevicePlan {
  const name = checkName(input.name);
  const fields: DeviceFields = {
    name,
    protocol: checkProtocol(input.protocol),
    deviceCode: checkDeviceCode(input.deviceCode),
    vendor: optionalText(input.vendor, 'vendor', LIMITS.vendor),
    model: optionalText(input.model, 'model', LIMITS.model),
    firmware: optionalText(input.firmware, 'firmware', LIMITS.firmware),
    address: checkAddress(input.address),
    username: optionalText(input.username, 'username', LIMITS.username),
    password: checkPassword(input.password),
  };
  if (input.channels != null && input.channelCount != null) throw badInput('channelCount', 'pass either channels or channelCount, not both');
  let channels: ChannelSpec[] = [];
  if (input.channelCount != null) {
    const n = input.channelCount;
    if (!Number.isInteger(n) || n < 0 || n > LIMITS.maxChannelsPerCreate) {
      throw badInput('channelCount', `must be an integer between 0 and ${LIMITS.maxChannelsPerCreate}`);
    }
    channels = Array.from({ length: n }, (_, i) => ({ index: i + 1, name: defaultChannelName(name, i + 1), kind: ChannelKind.VIDEO, ptzCapable: false }));
  } else if (input.channels) {
    if (input.channels.length > LIMITS.maxChannelsPerCreate) throw badInput('channels', `at most ${LIMITS.maxChannelsPerCreate} channels`);
    const seen = new Set<number>();
    channels = input.channels.map((c, i) => {
      const spec = checkChannelInput(c, name, `channels[${i}].`);
      if (seen.has(spec.index)) throw badInput(`channels[${i}].index`, `channel index ${spec.index} appears more than once`);
      seen.add(spec.index);
      return spec;
    });
  }
  return { ...fields, groupId: input.groupId?.trim() || null, channels };
}

export function checkUpdateDevice(input: UpdateDeviceInputShape): DevicePatch {
  const patch: DevicePatch = {};
  const required = ['name', 'protocol', 'deviceCode'] as const;
  for (const f of required) if (input[f] === null) throw badInput(f, 'cannot be removed; omit it to keep the current value');
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.protocol !== undefined) patch.protocol = checkProtocol(input.protocol);
  if (input.deviceCode !== undefined) patch.deviceCode = checkDeviceCode(input.deviceCode);
  if (input.vendor !== undefined) patch.vendor = optionalText(input.vendor, 'vendor', LIMITS.vendor);
  if (input.model !== undefined) patch.model = optionalText(input.model, 'model', LIMITS.model);
  if (input.firmware !== undefined) patch.firmware = optionalText(input.firmware, 'firmware', LIMITS.firmware);
  if (input.address !== undefined) patch.address = checkAddress(input.address);
  if (input.username !== undefined) patch.username = optionalText(input.username, 'username', LIMITS.username);
  if (input.password !== undefined) patch.password = checkPassword(input.password);
  return patch;
}

/** Status reports from the access plane (device.status events); null when unusable. */
export function parseStatusEvent(
  data: unknown,
  now = Date.now(),
): { tenantId: string; deviceId: string; status: 'ONLINE' | 'OFFLINE'; at: Date } | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (typeof d.tenantId !== 'string' || typeof d.deviceId !== 'string') return null;
  const status = typeof d.status === 'string' ? d.status.toUpperCase() : '';
  if (status !== 'ONLINE' && status !== 'OFFLINE') return null;
  let at = d.at === undefined || d.at === null ? new Date(now) : new Date(d.at as string | number);
  if (Number.isNaN(at.getTime())) return null;
  // a device clock far ahead must not block every later report
  if (at.getTime() > now + 5 * 60_000) at = new Date(now);
  return { tenantId: d.tenantId, deviceId: d.deviceId, status, at };
}
