import { startArgus, type Mode, type RunningArgus } from '@argus/harness';
import {
  createArgusClient, requestAccessToken, CreateTenantDocument, CreateAppDocument, UpdateBillingAccountDocument, AdjustCreditDocument,
  type ArgusClient, type ResourceType,
} from '@argus/client';

/** Modes the end-to-end suites run in: embedded (SQLite + in-process bus) and scale (PostgreSQL + NATS + Redis). */
export const MODES: Mode[] = (process.env.ARGUS_TEST_MODES ?? 'embedded,scale').split(',') as Mode[];

export interface TenantFixture {
  tenantId: string;
  accessKey: string;
  secretKey: string;
  token: string;
  client: ArgusClient;
}

/**
 * Services every channel of a new tenant gets on demand without a binding, as the product's default
 * (docs/decisions/0007-billing-defaults-and-entitlement-checks.md). Suites that test enforcement create tenants with `defaultOpen: []`.
 */
export const TEST_DEFAULT_OPEN = 'MANAGE,DATAFLOW,TALK';

export interface TenantOptions {
  /** Services open for every channel without a binding (admin updateBillingAccount); [] = every service must be bound. */
  defaultOpen?: ResourceType[];
  /** Credit added by the admin at creation (decimal string). */
  credit?: string;
}

export interface Fixture {
  argus: RunningArgus;
  admin: ArgusClient;
  adminToken: string;
  /** Creates a tenant with one app and a client holding a token of that app. */
  tenant(name: string, options?: TenantOptions): Promise<TenantFixture>;
  clients: ArgusClient[];
  close(): Promise<void>;
}

export async function startFixture(mode: Mode, env: Record<string, string> = {}): Promise<Fixture> {
  const argus = await startArgus({ mode, env: { BILLING_DEFAULT_OPEN: TEST_DEFAULT_OPEN, ...env } });
  const clients: ArgusClient[] = [];
  const track = (c: ArgusClient) => (clients.push(c), c);
  const { accessToken: adminToken } = await requestAccessToken(argus.gatewayUrl, argus.adminAccessKey, argus.adminSecretKey);
  const admin = track(createArgusClient({ url: argus.gatewayUrl, token: adminToken }));
  return {
    argus,
    admin,
    adminToken,
    clients,
    async tenant(name, options = {}) {
      const { createTenant } = await admin.request(CreateTenantDocument, { name: `${name}-${Math.random().toString(36).slice(2, 8)}` });
      const { createApp } = await admin.request(CreateAppDocument, { tenantId: createTenant.id, name: `${name}-app` });
      if (options.defaultOpen) {
        await admin.request(UpdateBillingAccountDocument, {
          input: { clientRequestId: `fixture-open-${createTenant.id}`, tenantId: createTenant.id, defaultOpen: options.defaultOpen },
        });
      }
      if (options.credit) {
        await admin.request(AdjustCreditDocument, {
          input: { clientRequestId: `fixture-credit-${createTenant.id}`, tenantId: createTenant.id, amount: options.credit, note: 'test fixture' },
        });
      }
      const { accessToken } = await requestAccessToken(argus.gatewayUrl, createApp.accessKey, createApp.secretKey);
      return {
        tenantId: createTenant.id,
        accessKey: createApp.accessKey,
        secretKey: createApp.secretKey,
        token: accessToken,
        client: track(createArgusClient({ url: argus.gatewayUrl, token: accessToken })),
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await argus.stop();
    },
  };
}

/** Collects values from an async iterator in the background. */
export function collect<T>(it: AsyncIterableIterator<T>) {
  const values: T[] = [];
  let error: unknown = null;
  const done = (async () => {
    try {
      for await (const v of it) values.push(v);
    } catch (e) {
      error = e;
    }
  })();
  return {
    values,
    get error() {
      return error;
    },
    async stop() {
      await it.return?.();
      await done;
    },
  };
}
