import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/**
 * Base for Argus migrations: DDL is written once with knex's schema builder and comes out
 * right for both SQLite and PostgreSQL (inside the service's own schema there).
 */
export abstract class ArgusMigration extends Migration {
  protected get isPostgres(): boolean {
    return this.driver.getPlatform().constructor.name.toLowerCase().includes('postgre');
  }

  protected schemaBuilder(): Knex.SchemaBuilder {
    const knex = this.getKnex();
    const schema = this.config.get('schema');
    return this.isPostgres && schema ? knex.schema.withSchema(schema) : knex.schema;
  }

  /** Adds the SQL of one schema-builder chain to this migration. */
  protected ddl(build: (schema: Knex.SchemaBuilder) => Knex.SchemaBuilder): void {
    for (const stmt of build(this.schemaBuilder()).toSQL()) this.addSql(stmt.sql);
  }
}
