import { registerEnumType } from 'type-graphql';

/** Same values as the platform's RESOURCE_TYPES (what checkers ask about). */
export enum ResourceType {
  MANAGE = 'MANAGE',
  RECORD = 'RECORD',
  MOTION = 'MOTION',
  DATAFLOW = 'DATAFLOW',
  TALK = 'TALK',
}
registerEnumType(ResourceType, {
  name: 'ResourceType',
  description: 'A billable service a channel can be opened for; a channel holds at most one resource of each type.',
  valuesConfig: {
    MANAGE: { description: 'Device access and live view: play and publish URLs (视图接入调阅).' },
    RECORD: { description: 'Continuous cloud recording, kept storageDays days (连续云存储).' },
    MOTION: { description: 'Event (motion) recording, kept storageDays days (动检云存储).' },
    DATAFLOW: { description: 'Alarms and AI data delivered to subscriptions and webhooks (行业数据流); needs MANAGE as well.' },
    TALK: { description: 'Two-way audio with the device.' },
  },
});

export enum PackageMode {
  PACKAGE = 'PACKAGE',
  ON_DEMAND = 'ON_DEMAND',
}
registerEnumType(PackageMode, {
  name: 'PackageMode',
  description:
    'PACKAGE: prepaid, covers up to quotaTotal channels until expiresAt. ' +
    'ON_DEMAND: one per tenant and resource type, any number of channels, usage charged from credit.',
});

/** Effective state of a resource (stored NORMAL / EXPIRED, the rest from the account). */
export enum ResourceState {
  NORMAL = 'NORMAL',
  ARREARS = 'ARREARS',
  UNAVAILABLE = 'UNAVAILABLE',
  EXPIRED = 'EXPIRED',
}
registerEnumType(ResourceState, {
  name: 'ResourceState',
  description:
    'NORMAL; ARREARS: an ON_DEMAND resource of a tenant whose credit ran out; ' +
    'UNAVAILABLE: the account is suspended; EXPIRED: the package term is over (renew it).',
});

export enum AccountState {
  NORMAL = 'NORMAL',
  ARREARS = 'ARREARS',
  UNAVAILABLE = 'UNAVAILABLE',
}
registerEnumType(AccountState, {
  name: 'AccountState',
  description: 'NORMAL; ARREARS: credit below zero (on-demand services stop, packages go on); UNAVAILABLE: suspended by the operator.',
});

export enum CoverageSource {
  BINDING = 'BINDING',
  DEFAULT = 'DEFAULT',
}
registerEnumType(CoverageSource, {
  name: 'CoverageSource',
  description: "BINDING: the channel is bound to the resource; DEFAULT: the tenant's on-demand resource of a type open for every channel.",
});

export enum OrderKind {
  PURCHASE = 'PURCHASE',
  RENEW = 'RENEW',
  CREDIT = 'CREDIT',
}
registerEnumType(OrderKind, {
  name: 'OrderKind',
  description: 'PURCHASE and RENEW of packages; CREDIT: credit added or taken by the operator.',
});

/** What a price is per. */
export enum PriceUnit {
  CHANNEL_MONTH = 'CHANNEL_MONTH',
  EGRESS_GB = 'EGRESS_GB',
  VIEW_MINUTE = 'VIEW_MINUTE',
  ALARM = 'ALARM',
  PICTURE = 'PICTURE',
  TALK_MINUTE = 'TALK_MINUTE',
  STORAGE_GB_DAY = 'STORAGE_GB_DAY',
}
registerEnumType(PriceUnit, {
  name: 'PriceUnit',
  description:
    'CHANNEL_MONTH: one channel for one month of a PACKAGE. On demand: EGRESS_GB (10^9 bytes played), VIEW_MINUTE, ' +
    'ALARM, PICTURE, TALK_MINUTE, STORAGE_GB_DAY (recordings kept).',
});

/** What usage records count. */
export enum UsageMetric {
  EGRESS_BYTES = 'EGRESS_BYTES',
  VIEW_SECONDS = 'VIEW_SECONDS',
  PUBLISH_SECONDS = 'PUBLISH_SECONDS',
  ALARMS = 'ALARMS',
  PICTURES = 'PICTURES',
  TALK_SECONDS = 'TALK_SECONDS',
  STORAGE_GB_DAYS = 'STORAGE_GB_DAYS',
}
registerEnumType(UsageMetric, {
  name: 'UsageMetric',
  description:
    'EGRESS_BYTES and VIEW_SECONDS per play protocol; PUBLISH_SECONDS per ingest protocol; ALARMS and PICTURES received; ' +
    'TALK_SECONDS; STORAGE_GB_DAYS of recordings.',
});
