import { ArgusMigration } from '@argus/platform';

export class M0002Talk extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) =>
      s.createTable('talk_sessions', (t) => {
        t.string('id', 40).primary();
        t.string('tenant_id', 40).notNullable();
        t.string('channel_id', 128).notNullable();
        t.string('active_channel', 128).nullable().unique();
        t.string('transport', 16).notNullable();
        t.string('codec', 8).notNullable();
        t.integer('sample_rate').notNullable();
        t.string('status', 8).notNullable();
        t.string('created_by_app', 40).nullable();
        t.datetime('created_at').notNullable();
        t.datetime('expires_at').notNullable();
        t.datetime('started_at').nullable();
        t.datetime('ended_at').nullable();
        t.integer('duration_ms').nullable();
        t.string('end_reason', 200).nullable();
        t.string('device', 300).nullable();
        t.string('node_id', 128).nullable();
        t.index(['tenant_id', 'channel_id', 'id']);
        t.index(['tenant_id', 'status', 'id']);
      }),
    );
  }
}
