import type { MikroORM } from '@mikro-orm/core';
import type { Bus, BusSubscription, Logger } from '@argus/platform';
import { Accounts, type Clock } from './accounts.js';
import { Packages } from './packages.js';
import { Bindings, type ChannelLookup } from './bindings.js';
import { EntitlementQueries } from './entitlements.js';
import { AccountAdmin } from './account-admin.js';
import { UsageQueries } from './usage-queries.js';
import { Metering } from './metering.js';
import { ExpirySweeper } from './expiry.js';
import type { BillingConfig } from './billing-config.js';

/** Work-queue groups releasing the bindings of deleted devices and channels (one per subject: a JetStream group has one filter). */
export const BINDINGS_GROUP = 'billing-bindings';
/** Work-queue group opening the account of a new tenant. */
export const ACCOUNTS_GROUP = 'billing-accounts';

export interface BillingDeps {
  orm: MikroORM;
  bus: Bus;
  /** The devices subgraph's channels (ChannelDirectory). */
  channels: ChannelLookup;
  config: BillingConfig;
  logger: Logger;
  /** Injectable clock (tests move time for expiry); default: now. */
  clock?: Clock;
}

/** The billing domain, in parts: accounts, packages, bindings, entitlements, usage. */
export class Billing {
  readonly accounts: Accounts;
  readonly packages: Packages;
  readonly bindings: Bindings;
  readonly entitlements: EntitlementQueries;
  readonly admin: AccountAdmin;
  readonly usage: UsageQueries;
  readonly metering: Metering;
  readonly expiry: ExpirySweeper;
  private subscriptions: BusSubscription[] = [];

  constructor(private readonly deps: BillingDeps) {
    const { orm, bus, channels, config, logger } = deps;
    const clock = deps.clock ?? (() => new Date());
    this.accounts = new Accounts(orm, bus, config, clock, logger);
    this.packages = new Packages(orm, bus, this.accounts, clock, logger);
    this.bindings = new Bindings(orm, bus, channels, this.accounts, clock, logger);
    this.entitlements = new EntitlementQueries(orm, this.accounts, clock);
    this.admin = new AccountAdmin(orm, bus, this.accounts, clock, logger);
    this.usage = new UsageQueries(orm);
    this.metering = new Metering(orm, this.accounts, channels, clock, logger);
    this.expiry = new ExpirySweeper(orm, bus, clock, logger, this.metering);
  }

  /** Bus consumers: new tenants, deleted channels, metered events. */
  async start(): Promise<void> {
    const { bus } = this.deps;
    this.subscriptions.push(
      await bus.subscribe<{ tenantId?: string }>(
        'identity.tenant.created',
        async (e) => void (e.data.tenantId && (await this.accounts.ensure(e.data.tenantId))),
        { group: ACCOUNTS_GROUP },
      ),
      await bus.subscribe<{ tenantId: string; channelIds?: string[] }>(
        'device.deleted',
        async (e) => void (await this.bindings.releaseChannels(e.data.tenantId, e.data.channelIds ?? [])),
        { group: `${BINDINGS_GROUP}-device` },
      ),
      await bus.subscribe<{ tenantId: string; channelId: string }>(
        'channel.deleted',
        async (e) => void (await this.bindings.releaseChannels(e.data.tenantId, [e.data.channelId])),
        { group: `${BINDINGS_GROUP}-channel` },
      ),
      ...(await this.metering.start(bus)),
    );
    this.expiry.start(this.deps.config.sweepSeconds);
  }

  async stop(): Promise<void> {
    this.expiry.stop();
    for (const s of this.subscriptions.splice(0)) await s.unsubscribe().catch(() => undefined);
  }
}
