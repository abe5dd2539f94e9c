import { describe, expect, it } from 'vitest';
import { ArgusError } from '@argus/platform';
import { addMonths, bindRefusal, bindingStorageDays, checkChannelIds, checkClientRequestId, resourceState, termsOfPurchase } from '../src/rules.js';
import { AccountState, PackageMode, ResourceState, ResourceType } from '../src/enums.js';
import { formatMoney, parseMoney } from '../src/money.js';
import { chargeMicros, checkPriceLine, METRICS } from '../src/pricing.js';
import { PriceUnit, UsageMetric } from '../src/enums.js';

const now = new Date('2025-01-31T10:00:00.000Z');
const fieldOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgusError);
    expect((e as ArgusError).extensions.code).toBe('BAD_USER_INPUT');
    return (e as ArgusError).extensions.field as string;
  }
  return undefined;
};

describe('termsOfPurchase', () => {
  it('makes a package ending months later', () => {
    expect(termsOfPurchase({ resourceType: ResourceType.MANAGE, quota: 10, months: 1 }, now)).toEqual({
      resourceType: ResourceType.MANAGE,
      quotaTotal: 10,
      months: 1,
      storageDays: null,
      startsAt: now,
      expiresAt: new Date('2025-02-28T10:00:00.000Z'),
      name: 'MANAGE package, 10 channels, 1 month',
    });
  });

  it.each([
    [{ resourceType: 'NOPE' as ResourceType, quota: 1, months: 1 }, 'resourceType'],
    [{ resourceType: ResourceType.MANAGE, quota: 0, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: -5, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 100_001, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 1.5, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 0 }, 'months'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 37 }, 'months'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 2.5 }, 'months'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3 }, 'storageDays'],
    [{ resourceType: ResourceType.MOTION, quota: 1, months: 3 }, 'storageDays'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3, storageDays: 0 }, 'storageDays'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3, storageDays: 366 }, 'storageDays'],
    [{ resourceType: ResourceType.TALK, quota: 1, months: 3, storageDays: 7 }, 'storageDays'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 3, storageDays: 7 }, 'storageDays'],
  ])('refuses %j on %s', (input, field) => {
    expect(fieldOf(() => termsOfPurchase(input, now))).toBe(field);
  });

  it('accepts the bounds', () => {
    expect(() => termsOfPurchase({ resourceType: ResourceType.RECORD, quota: 100_000, months: 36, storageDays: 365 }, now)).not.toThrow();
    expect(() => termsOfPurchase({ resourceType: ResourceType.MOTION, quota: 1, months: 1, storageDays: 1 }, now)).not.toThrow();
    expect(() => termsOfPurchase({ resourceType: ResourceType.DATAFLOW, quota: 1, months: 1 }, now)).not.toThrow();
    expect(() => termsOfPurchase({ resourceType: ResourceType.DATAFLOW, quota: 1, months: 1, storageDays: 30 }, now)).not.toThrow();
  });
});

describe('binding storage days', () => {
  const od = (t: ResourceType) => ({ mode: PackageMode.ON_DEMAND, resourceType: t });
  it('needs them for on-demand recording, refuses them for packages', () => {
    expect(bindingStorageDays(od(ResourceType.RECORD), 30)).toBe(30);
    expect(bindingStorageDays(od(ResourceType.DATAFLOW), null)).toBeNull();
    expect(bindingStorageDays(od(ResourceType.MANAGE), undefined)).toBeNull();
    expect(fieldOf(() => bindingStorageDays(od(ResourceType.MOTION), null))).toBe('storageDays');
    expect(fieldOf(() => bindingStorageDays(od(ResourceType.RECORD), 366))).toBe('storageDays');
    expect(fieldOf(() => bindingStorageDays(od(ResourceType.TALK), 3))).toBe('storageDays');
    expect(fieldOf(() => bindingStorageDays({ mode: PackageMode.PACKAGE, resourceType: ResourceType.RECORD }, 7))).toBe('storageDays');
  });
});

describe('request ids and batches', () => {
  it('checks them', () => {
    expect(checkClientRequestId('0b9f2f4e-6d0c-4a7e-9d37-4a3c3c1d2e11')).toBeTruthy();
    expect(fieldOf(() => checkClientRequestId(''))).toBe('clientRequestId');
    expect(fieldOf(() => checkClientRequestId('x'.repeat(65)))).toBe('clientRequestId');
    expect(fieldOf(() => checkChannelIds([]))).toBe('channelIds');
    expect(fieldOf(() => checkChannelIds(Array.from({ length: 101 }, (_, i) => `c${i}`)))).toBe('channelIds');
    expect(fieldOf(() => checkChannelIds(['a', 'a']))).toBe('channelIds');
  });
});

describe('addMonths', () => {
  it('clamps to the end of shorter months and crosses years', () => {
    expect(addMonths(new Date('2024-01-31T00:00:00Z'), 1).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(addMonths(new Date('2025-03-31T12:00:00Z'), 1).toISOString()).toBe('2025-04-30T12:00:00.000Z');
    expect(addMonths(new Date('2025-11-15T00:00:00Z'), 3).toISOString()).toBe('2026-02-15T00:00:00.000Z');
    expect(addMonths(new Date('2025-01-10T00:00:00Z'), 36).toISOString()).toBe('2028-01-10T00:00:00.000Z');
  });
});

describe('resource state', () => {
  const pkg = { id: 'res_1', mode: PackageMode.PACKAGE, storedState: 'NORMAL', expiresAt: new Date(now.getTime() + 1000), quotaUsed: 0, quotaTotal: 2 };
  const od = { ...pkg, mode: PackageMode.ON_DEMAND, expiresAt: null, quotaTotal: null };

  it('is EXPIRED past its end, ARREARS for on-demand in arrears, UNAVAILABLE when suspended', () => {
    expect(resourceState(pkg, AccountState.NORMAL, now)).toBe(ResourceState.NORMAL);
    expect(resourceState({ ...pkg, expiresAt: now }, AccountState.NORMAL, now)).toBe(ResourceState.EXPIRED);
    expect(resourceState({ ...pkg, storedState: 'EXPIRED' }, AccountState.NORMAL, now)).toBe(ResourceState.EXPIRED);
    expect(resourceState(pkg, AccountState.ARREARS, now)).toBe(ResourceState.NORMAL);
    expect(resourceState(od, AccountState.ARREARS, now)).toBe(ResourceState.ARREARS);
    expect(resourceState(pkg, AccountState.UNAVAILABLE, now)).toBe(ResourceState.UNAVAILABLE);
  });

  it('refuses binds with the precise reason', () => {
    expect(bindRefusal(pkg, AccountState.NORMAL, now)).toBeNull();
    expect(bindRefusal(od, AccountState.NORMAL, now)).toBeNull();
    expect(bindRefusal({ ...od, quotaUsed: 10_000 }, AccountState.NORMAL, now)).toBeNull();
    expect(bindRefusal({ ...pkg, quotaUsed: 2 }, AccountState.NORMAL, now)).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringMatching(/covers 2 of 2/) });
    expect(bindRefusal({ ...pkg, expiresAt: new Date(now.getTime() - 1) }, AccountState.NORMAL, now)).toMatchObject({ code: 'ENTITLEMENT_MISSING' });
    expect(bindRefusal(od, AccountState.ARREARS, now)).toMatchObject({ code: 'ACCOUNT_IN_ARREARS' });
    expect(bindRefusal(pkg, AccountState.UNAVAILABLE, now)).toMatchObject({ code: 'ACCOUNT_SUSPENDED' });
  });
});

describe('money and prices', () => {
  it('parses and formats decimal amounts exactly', () => {
    expect(parseMoney('12.5')).toBe(12_500_000);
    expect(parseMoney(0.000001)).toBe(1);
    expect(parseMoney('-3')).toBe(-3_000_000);
    expect(parseMoney('1.2345678')).toBeNull();
    expect(parseMoney('1e3')).toBeNull();
    expect(parseMoney('')).toBeNull();
    expect(formatMoney(12_500_000)).toBe('12.5');
    expect(formatMoney(-200_000)).toBe('-0.2');
    expect(formatMoney(0)).toBe('0');
    expect(formatMoney(1)).toBe('0.000001');
  });

  it('allows only the units a resource type is measured in', () => {
    expect(() => checkPriceLine(ResourceType.MANAGE, PackageMode.ON_DEMAND, PriceUnit.EGRESS_GB)).not.toThrow();
    expect(() => checkPriceLine(ResourceType.MOTION, PackageMode.ON_DEMAND, PriceUnit.STORAGE_GB_DAY)).not.toThrow();
    expect(fieldOf(() => checkPriceLine(ResourceType.TALK, PackageMode.ON_DEMAND, PriceUnit.ALARM))).toBe('unit');
    expect(fieldOf(() => checkPriceLine(ResourceType.TALK, PackageMode.PACKAGE, PriceUnit.TALK_MINUTE))).toBe('unit');
  });

  it('charges by the unit, to the micro', () => {
    const egress = METRICS[UsageMetric.EGRESS_BYTES];
    expect(chargeMicros(2.5e9, 100_000, egress.basePerUnit)).toBe(250_000); // 2.5 GB at 0.1
    const view = METRICS[UsageMetric.VIEW_SECONDS];
    expect(chargeMicros(90_000, 10_000, view.basePerUnit)).toBe(15_000); // 1.5 minutes at 0.01
    expect(chargeMicros(1, 0, 1)).toBe(0);
  });
});
