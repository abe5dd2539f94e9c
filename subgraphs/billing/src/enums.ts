import { registerEnumType } from 'type-graphql';

export enum ResourceType {
  MANAGE = 'MANAGE',
  RECORD = 'RECORD',
  MOTION = 'MOTION',
  DATAFLOW = 'DATAFLOW',
  TALK = 'TALK',
}
registerEnumType(ResourceType, {
  name: 'ResourceType',
  description: 'A billable capability a channel can be entitled to; a channel holds at most one of each.',
  valuesConfig: {
    MANAGE: { description: 'Access and management of the channel.' },
    RECORD: { description: 'Cloud recording (kept storageDays days).' },
    MOTION: { description: 'Motion detection events.' },
    DATAFLOW: { description: 'Live streaming traffic.' },
    TALK: { description: 'Two-way audio.' },
  },
});

export enum PackageMode {
  PACKAGE = 'PACKAGE',
  ON_DEMAND = 'ON_DEMAND',
}
registerEnumType(PackageMode, {
  name: 'PackageMode',
  description: 'PACKAGE: prepaid for a number of months; ON_DEMAND: no end date, billed by use.',
});

export enum PackageStatus {
  NORMAL = 'NORMAL',
  EXPIRED = 'EXPIRED',
}
registerEnumType(PackageStatus, { name: 'PackageStatus' });
