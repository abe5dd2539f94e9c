import { Account } from './account.js';
import { ResourcePackage } from './resource-package.js';
import { ChannelBinding } from './channel-binding.js';
import { BillingOrder } from './order.js';
import { Price } from './price.js';
import { UsageRecord } from './usage-record.js';
import { UsageEvent } from './usage-event.js';
import { ClientRequest } from './client-request.js';

/** Entities of the billing schema (for openOrm). */
export const BILLING_ENTITIES = [Account, ResourcePackage, ChannelBinding, BillingOrder, Price, UsageRecord, UsageEvent, ClientRequest];
