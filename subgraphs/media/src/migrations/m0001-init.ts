import { ArgusMigration } from '@argus/platform';
import { M0002Talk } from './m0002-talk.js';

export class M0001Init extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) =>
      s.createTable('play_grants', (t) => {
        t.string('id', 40).primary();
        t.string('tenant_id', 40).notNullable();
        t.string('channel_id', 128).notNullable();
        t.string('protocol', 16).notNullable();
        t.string('stream', 8).notNullable();
        t.datetime('expires_at').notNullable();
        t.integer('max_uses').notNullable().defaultTo(0);
        t.datetime('created_at').notNullable();
        t.datetime('revoked_at').nullable();
        t.string('created_by_app', 40).nullable();
        t.index(['tenant_id', 'channel_id', 'id']);
        t.index(['channel_id', 'revoked_at']);
      }),
    );
  }
}

export const mediaMigrations = [
  { name: 'm0001-init', class: M0001Init },
  { name: 'm0002-talk', class: M0002Talk },
];
