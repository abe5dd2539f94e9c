import { ArgusMigration } from '@argus/platform';

export class M0001Init extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) =>
      s
        .createTable('tenants', (t) => {
          t.string('id', 40).primary();
          t.string('name', 128).notNullable().unique();
          t.string('status', 16).notNullable();
          t.datetime('created_at').notNullable();
        })
        .createTable('apps', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).nullable().index();
          t.string('name', 128).notNullable();
          t.string('access_key', 64).notNullable().unique();
          t.text('secret_sealed').notNullable();
          t.string('role', 16).notNullable();
          t.datetime('created_at').notNullable();
          t.datetime('disabled_at').nullable();
        })
        .createTable('access_tokens', (t) => {
          t.string('id', 40).primary();
          t.string('app_id', 40).notNullable();
          t.string('tenant_id', 40).nullable();
          t.datetime('issued_at').notNullable();
          t.datetime('expires_at').notNullable();
          t.datetime('revoked_at').nullable();
          t.index(['app_id', 'issued_at']);
        }),
    );
  }
}

export const identityMigrations = [{ name: 'm0001-init', class: M0001Init }];
