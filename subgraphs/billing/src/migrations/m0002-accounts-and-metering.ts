import { ArgusMigration } from '@argus/platform';

/**
 * Accounts, on-demand resources, orders, prices, metering and idempotent requests.
 * Resources and bindings move to new tables (resource_packages → billing_resources,
 * channel_bindings → resource_bindings): ON_DEMAND resources have no quota limit, which the old
 * table's CHECK forbade, and SQLite cannot change a CHECK in place. Existing rows are copied;
 * packages bought before this had no price, so no orders are made up for them.
 */
export class M0002AccountsAndMetering extends ArgusMigration {
  override async up(): Promise<void> {
    const schema = this.isPostgres ? this.config.get('schema') : undefined;
    const q = (table: string) => (schema ? `"${schema}"."${table}"` : `"${table}"`);
    this.ddl((s) =>
      s
        .createTable('billing_accounts', (t) => {
          t.string('tenant_id', 40).primary();
          t.bigInteger('credit_micros').notNullable().defaultTo(0);
          t.string('state', 16).notNullable();
          t.string('default_open_list', 64).notNullable().defaultTo('');
          t.datetime('created_at').notNullable();
          t.datetime('updated_at').notNullable();
        })
        .createTable('billing_resources', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('resource_type', 16).notNullable();
          t.string('mode', 16).notNullable();
          t.string('name', 80).notNullable();
          t.integer('quota_total').nullable();
          t.integer('quota_used').notNullable().defaultTo(0);
          t.integer('storage_days').nullable();
          t.string('stored_state', 16).notNullable();
          t.datetime('starts_at').notNullable();
          t.datetime('expires_at').nullable();
          t.string('on_demand_key', 64).nullable().unique({ indexName: 'billing_resources_on_demand_key_unique' });
          t.datetime('created_at').notNullable();
          t.datetime('updated_at').notNullable();
          t.index(['tenant_id', 'resource_type'], 'billing_resources_tenant_type_index');
          // what the conditional UPDATEs of binding keep true, enforced by the database as well
          t.check('quota_used >= 0 and (quota_total is null or quota_used <= quota_total)', [], 'billing_resources_quota_check');
        }),
    );
    this.addSql(
      `insert into ${q('billing_resources')} (id, tenant_id, resource_type, mode, name, quota_total, quota_used, storage_days, stored_state, starts_at, expires_at, on_demand_key, created_at, updated_at) ` +
        `select id, tenant_id, resource_type, 'PACKAGE', resource_type || ' package, ' || quota_total || ' channels', quota_total, quota_used, storage_days, status, starts_at, expires_at, null, created_at, created_at from ${q('resource_packages')}`,
    );
    const resourcesTable = schema ? `${schema}.billing_resources` : 'billing_resources';
    this.ddl((s) =>
      s.createTable('resource_bindings', (t) => {
        t.string('id', 40).primary();
        t.string('tenant_id', 40).notNullable();
        t.string('channel_id', 128).notNullable();
        t.string('device_id', 128).nullable();
        t.string('resource_id', 40).notNullable().references('id').inTable(resourcesTable);
        t.string('resource_type', 16).notNullable();
        t.integer('storage_days').nullable();
        t.datetime('created_at').notNullable();
        t.datetime('updated_at').notNullable();
        t.unique(['channel_id', 'resource_type'], { indexName: 'resource_bindings_channel_type_unique' });
        t.index(['tenant_id', 'channel_id'], 'resource_bindings_tenant_channel_index');
        t.index(['tenant_id', 'device_id'], 'resource_bindings_tenant_device_index');
        t.index(['resource_id'], 'resource_bindings_resource_index');
      }),
    );
    this.addSql(
      `insert into ${q('resource_bindings')} (id, tenant_id, channel_id, device_id, resource_id, resource_type, storage_days, created_at, updated_at) ` +
        `select id, tenant_id, channel_id, null, package_id, resource_type, null, created_at, created_at from ${q('channel_bindings')}`,
    );
    this.ddl((s) => s.dropTable('channel_bindings').dropTable('resource_packages'));
    this.ddl((s) =>
      s
        .createTable('billing_orders', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('kind', 16).notNullable();
          t.string('resource_id', 40).nullable();
          t.string('resource_type', 16).nullable();
          t.string('mode', 16).nullable();
          t.integer('quantity').nullable();
          t.integer('months').nullable();
          t.integer('storage_days').nullable();
          t.bigInteger('amount_micros').notNullable();
          t.bigInteger('credit_after_micros').notNullable();
          t.string('note', 256).nullable();
          t.string('client_request_id', 64).notNullable();
          t.string('created_by', 64).notNullable();
          t.datetime('created_at').notNullable();
          t.index(['tenant_id', 'id'], 'billing_orders_tenant_id_index');
        })
        .createTable('billing_prices', (t) => {
          t.string('resource_type', 16).notNullable();
          t.string('mode', 16).notNullable();
          t.string('unit', 24).notNullable();
          t.bigInteger('price_micros').notNullable();
          t.datetime('updated_at').notNullable();
          t.primary(['resource_type', 'mode', 'unit']);
        })
        .createTable('usage_daily', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('channel_id', 128).notNullable();
          t.string('day', 10).notNullable();
          t.string('metric', 24).notNullable();
          t.string('protocol', 16).notNullable().defaultTo('');
          t.bigInteger('quantity_base').notNullable().defaultTo(0);
          t.integer('events').notNullable().defaultTo(0);
          t.bigInteger('charged_micros').notNullable().defaultTo(0);
          t.datetime('updated_at').notNullable();
          t.unique(['tenant_id', 'channel_id', 'day', 'metric', 'protocol'], { indexName: 'usage_daily_key_unique' });
          t.index(['tenant_id', 'day'], 'usage_daily_tenant_day_index');
        })
        .createTable('usage_events', (t) => {
          t.string('event_id', 96).primary();
          t.string('tenant_id', 40).notNullable();
          t.datetime('metered_at').notNullable();
          t.index(['metered_at'], 'usage_events_metered_at_index');
        })
        .createTable('billing_requests', (t) => {
          t.string('scope', 40).notNullable();
          t.string('client_request_id', 64).notNullable();
          t.string('operation', 32).notNullable();
          t.string('input_hash', 64).notNullable();
          t.text('result').notNullable();
          t.datetime('created_at').notNullable();
          t.primary(['scope', 'client_request_id']);
        }),
    );
  }
}
