import { describe, expect, it } from 'vitest';
import { ArgusError } from '@argus/platform';
import { addMonths, bindRefusal, effectiveStatus, termsOfPurchase } from '../src/rules.js';
import { PackageMode, PackageStatus, ResourceType } from '../src/enums.js';

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
  it('makes a term package ending months later', () => {
    expect(termsOfPurchase({ resourceType: ResourceType.MANAGE, quota: 10, months: 1 }, now)).toEqual({
      resourceType: ResourceType.MANAGE,
      mode: PackageMode.PACKAGE,
      quotaTotal: 10,
      storageDays: null,
      startsAt: now,
      expiresAt: new Date('2025-02-28T10:00:00.000Z'),
    });
  });

  it('makes an on-demand package without end', () => {
    const t = termsOfPurchase({ resourceType: ResourceType.RECORD, quota: 1, onDemand: true, storageDays: 30 }, now);
    expect(t).toMatchObject({ mode: PackageMode.ON_DEMAND, expiresAt: null, storageDays: 30 });
  });

  it.each([
    [{ resourceType: 'NOPE' as ResourceType, quota: 1, months: 1 }, 'resourceType'],
    [{ resourceType: ResourceType.MANAGE, quota: 0, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 100_001, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 1.5, months: 1 }, 'quota'],
    [{ resourceType: ResourceType.MANAGE, quota: 1 }, 'months'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 0 }, 'months'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 37 }, 'months'],
    [{ resourceType: ResourceType.MANAGE, quota: 1, months: 3, onDemand: true }, 'months'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3 }, 'storageDays'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3, storageDays: 0 }, 'storageDays'],
    [{ resourceType: ResourceType.RECORD, quota: 1, months: 3, storageDays: 366 }, 'storageDays'],
    [{ resourceType: ResourceType.MOTION, quota: 1, months: 3, storageDays: 7 }, 'storageDays'],
  ])('refuses %j on %s', (input, field) => {
    expect(fieldOf(() => termsOfPurchase(input, now))).toBe(field);
  });

  it('accepts the bounds', () => {
    expect(() => termsOfPurchase({ resourceType: ResourceType.RECORD, quota: 100_000, months: 36, storageDays: 365 }, now)).not.toThrow();
    expect(() => termsOfPurchase({ resourceType: ResourceType.RECORD, quota: 1, months: 1, storageDays: 1 }, now)).not.toThrow();
    expect(() => termsOfPurchase({ resourceType: ResourceType.TALK, quota: 1, months: 1, storageDays: null, onDemand: null }, now)).not.toThrow();
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

describe('package state', () => {
  const pkg = { id: 'pkg_1', status: PackageStatus.NORMAL, expiresAt: new Date(now.getTime() + 1000), quotaUsed: 0, quotaTotal: 2 };

  it('is EXPIRED once its end has passed or when marked so', () => {
    expect(effectiveStatus(pkg, now)).toBe(PackageStatus.NORMAL);
    expect(effectiveStatus({ ...pkg, expiresAt: now }, now)).toBe(PackageStatus.EXPIRED);
    expect(effectiveStatus({ ...pkg, expiresAt: null }, now)).toBe(PackageStatus.NORMAL);
    expect(effectiveStatus({ ...pkg, status: PackageStatus.EXPIRED, expiresAt: null }, now)).toBe(PackageStatus.EXPIRED);
  });

  it('refuses binds to full or expired packages with a reason', () => {
    expect(bindRefusal(pkg, now)).toBeNull();
    expect(bindRefusal({ ...pkg, quotaUsed: 2 }, now)).toMatch(/covers 2 of 2 channels/);
    expect(bindRefusal({ ...pkg, expiresAt: new Date(now.getTime() - 1) }, now)).toMatch(/expired on/);
    expect(bindRefusal({ ...pkg, status: PackageStatus.EXPIRED, expiresAt: null }, now)).toMatch(/is EXPIRED/);
  });
});
