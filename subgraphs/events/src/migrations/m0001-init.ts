import { ArgusMigration } from '@argus/platform';
import { M0002SourcesPictures } from './m0002-sources-pictures.js';

export class M0001Init extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) =>
      s.createTable('alarms', (t) => {
        t.string('id', 40).primary();
        t.string('tenant_id', 40).notNullable();
        t.string('device_id', 40).notNullable();
        t.string('channel_id', 40).nullable();
        t.string('type', 32).notNullable();
        t.string('source_code', 128).nullable();
        t.integer('level').notNullable();
        t.string('status', 16).notNullable();
        t.string('state', 16).notNullable();
        t.text('description').notNullable();
        t.datetime('occurred_at').notNullable();
        t.datetime('received_at').notNullable();
        t.string('dedupe_key', 200).nullable();
        t.text('attributes').nullable();
        t.datetime('acknowledged_at').nullable();
        t.string('acknowledged_by', 64).nullable();
        t.text('acknowledge_note').nullable();
        t.datetime('cleared_at').nullable();
        t.string('cleared_by', 64).nullable();
        t.index(['tenant_id', 'occurred_at', 'id'], 'alarms_tenant_occurred_idx');
        t.index(['tenant_id', 'channel_id', 'occurred_at'], 'alarms_tenant_channel_idx');
        t.index(['tenant_id', 'device_id', 'occurred_at'], 'alarms_tenant_device_idx');
        // NULL keys never collide (SQLite and PostgreSQL), so alarms without a key are unaffected
        t.unique(['tenant_id', 'dedupe_key'], { indexName: 'alarms_tenant_dedupe_key_unique' });
      }),
    );
  }
}


export const eventsMigrations = [
  { name: 'm0001-init', class: M0001Init },
  { name: 'm0002-sources-pictures', class: M0002SourcesPictures },
];
