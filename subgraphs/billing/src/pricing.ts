import { badInput } from '@argus/platform';
import { PackageMode, PriceUnit, ResourceType, UsageMetric } from './enums.js';

/**
 * How usage is measured and priced. Each metric belongs to the resource type whose on-demand
 * resource pays for it, and is priced per a unit of so many base units:
 * bytes, milliseconds, counts, or byte-days.
 */
export interface MetricSpec {
  resourceType: ResourceType;
  /** Price line that charges it (ON_DEMAND), or null when it is only counted. */
  unit: PriceUnit | null;
  /** Base units per priced unit. */
  basePerUnit: number;
  /** Base units per reported `quantity` (bytes → bytes, ms → seconds, byte-days → GB-days). */
  basePerQuantity: number;
}

export const METRICS: Record<UsageMetric, MetricSpec> = {
  [UsageMetric.EGRESS_BYTES]: { resourceType: ResourceType.MANAGE, unit: PriceUnit.EGRESS_GB, basePerUnit: 1e9, basePerQuantity: 1 },
  [UsageMetric.VIEW_SECONDS]: { resourceType: ResourceType.MANAGE, unit: PriceUnit.VIEW_MINUTE, basePerUnit: 60_000, basePerQuantity: 1000 },
  [UsageMetric.PUBLISH_SECONDS]: { resourceType: ResourceType.MANAGE, unit: null, basePerUnit: 1, basePerQuantity: 1000 },
  [UsageMetric.ALARMS]: { resourceType: ResourceType.DATAFLOW, unit: PriceUnit.ALARM, basePerUnit: 1, basePerQuantity: 1 },
  [UsageMetric.PICTURES]: { resourceType: ResourceType.DATAFLOW, unit: PriceUnit.PICTURE, basePerUnit: 1, basePerQuantity: 1 },
  [UsageMetric.TALK_SECONDS]: { resourceType: ResourceType.TALK, unit: PriceUnit.TALK_MINUTE, basePerUnit: 60_000, basePerQuantity: 1000 },
  [UsageMetric.STORAGE_GB_DAYS]: { resourceType: ResourceType.RECORD, unit: PriceUnit.STORAGE_GB_DAY, basePerUnit: 1e9, basePerQuantity: 1e9 },
};

/** Which (resource type, mode, unit) lines a price table may have. */
export function checkPriceLine(resourceType: ResourceType, mode: PackageMode, unit: PriceUnit): void {
  if (mode === PackageMode.PACKAGE) {
    if (unit !== PriceUnit.CHANNEL_MONTH) throw badInput('unit', 'a PACKAGE is priced per CHANNEL_MONTH');
    return;
  }
  const allowed = onDemandUnits(resourceType);
  if (!allowed.includes(unit)) throw badInput('unit', `on-demand ${resourceType} is priced per ${allowed.join(' or ')}`);
}

export function onDemandUnits(resourceType: ResourceType): PriceUnit[] {
  const units = new Set<PriceUnit>();
  for (const spec of Object.values(METRICS)) if (spec.resourceType === resourceType && spec.unit) units.add(spec.unit);
  // event recording is kept like continuous recording
  if (resourceType === ResourceType.MOTION) units.add(PriceUnit.STORAGE_GB_DAY);
  return [...units];
}

/** Micros charged for `quantityBase` base units at `priceMicros` per unit (rounded to the micro). */
export function chargeMicros(quantityBase: number, priceMicros: number, basePerUnit: number): number {
  if (!priceMicros || !quantityBase) return 0;
  return Math.round((quantityBase * priceMicros) / basePerUnit);
}
