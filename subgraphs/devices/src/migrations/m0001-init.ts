import { ArgusMigration } from '@argus/platform';

export class M0001Init extends ArgusMigration {
  /** Table name for a foreign key: schema-qualified on PostgreSQL (the search path does not include the service schema). */
  private ref(table: string): string {
    const schema = this.config.get('schema');
    return this.isPostgres && schema ? `${schema}.${table}` : table;
  }

  /**
   * A name column that sorts by code point on both databases (SQLite's default BINARY collation;
   * "C" on PostgreSQL), so ORDER BY name pages identically whatever the server's locale.
   */
  private nameType(length: number): string {
    return this.isPostgres ? `varchar(${length}) collate "C"` : `varchar(${length})`;
  }

  override async up(): Promise<void> {
    this.ddl((s) =>
      s
        .createTable('device_groups', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('parent_id', 40).nullable().references('id').inTable(this.ref('device_groups')).withKeyName('device_groups_parent_fk');
          t.string('parent_key', 40).notNullable();
          t.specificType('name', this.nameType(128)).notNullable();
          t.string('path', 1024).notNullable();
          t.integer('depth').notNullable();
          t.datetime('created_at').notNullable();
          t.unique(['tenant_id', 'parent_key', 'name'], { indexName: 'device_groups_sibling_name_unique' });
          t.index(['tenant_id', 'path'], 'device_groups_tenant_path_idx');
          t.index(['parent_id'], 'device_groups_parent_idx');
        })
        .createTable('devices', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('group_id', 40).nullable().references('id').inTable(this.ref('device_groups')).withKeyName('devices_group_fk');
          t.specificType('name', this.nameType(128)).notNullable();
          t.string('vendor', 64).nullable();
          t.string('protocol', 16).notNullable();
          t.string('device_code', 64).notNullable();
          t.string('model', 64).nullable();
          t.string('firmware', 64).nullable();
          t.string('address', 512).nullable();
          t.string('username', 128).nullable();
          t.text('password_sealed').nullable();
          t.string('status', 16).notNullable();
          t.datetime('status_at').nullable();
          t.datetime('last_seen_at').nullable();
          t.datetime('created_at').notNullable();
          t.datetime('updated_at').notNullable();
          t.unique(['tenant_id', 'device_code'], { indexName: 'devices_tenant_code_unique' });
          t.index(['tenant_id', 'name'], 'devices_tenant_name_idx');
          t.index(['tenant_id', 'group_id'], 'devices_tenant_group_idx');
          t.index(['tenant_id', 'created_at'], 'devices_tenant_created_idx');
        })
        .createTable('channels', (t) => {
          t.string('id', 40).primary();
          t.string('tenant_id', 40).notNullable();
          t.string('device_id', 40).notNullable().references('id').inTable(this.ref('devices')).withKeyName('channels_device_fk');
          t.integer('index').notNullable();
          t.string('name', 128).notNullable();
          t.string('kind', 16).notNullable();
          t.boolean('ptz_capable').notNullable();
          t.string('status', 16).notNullable();
          t.datetime('created_at').notNullable();
          t.unique(['device_id', 'index'], { indexName: 'channels_device_index_unique' });
          t.index(['tenant_id', 'device_id'], 'channels_tenant_device_idx');
        }),
    );
  }
}

import { M0002DeviceCodeIndex } from './m0002-device-code-index.js';

export const devicesMigrations = [
  { name: 'm0001-init', class: M0001Init },
  { name: 'm0002-device-code-index', class: M0002DeviceCodeIndex },
];
