import { ArgusMigration } from '@argus/platform';

export class M0001Init extends ArgusMigration {
  override async up(): Promise<void> {
    // knex does not put the schema on a foreign key's target; name it in PostgreSQL
    const schema = this.isPostgres ? this.config.get('schema') : undefined;
    const packagesTable = schema ? `${schema}.resource_packages` : 'resource_packages';
    this.ddl((s) =>
      s
        .createTable('resource_packages', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('resource_type', 16).notNullable();
          t.string('mode', 16).notNullable();
          t.integer('quota_total').notNullable();
          t.integer('quota_used').notNullable().defaultTo(0);
          t.integer('storage_days').nullable();
          t.string('status', 16).notNullable();
          t.datetime('starts_at').notNullable();
          t.datetime('expires_at').nullable();
          t.datetime('created_at').notNullable();
          t.index(['tenant_id', 'resource_type']);
          // what bindChannel's conditional UPDATE keeps true, enforced by the database as well
          t.check('quota_used >= 0 and quota_used <= quota_total', [], 'resource_packages_quota_check');
        })
        .createTable('channel_bindings', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('channel_id', 128).notNullable();
          t.string('package_id', 40).notNullable().references('id').inTable(packagesTable);
          t.string('resource_type', 16).notNullable();
          t.datetime('created_at').notNullable();
          t.unique(['channel_id', 'resource_type']);
          t.index(['tenant_id', 'channel_id']);
          t.index(['package_id']);
        }),
    );
  }
}
