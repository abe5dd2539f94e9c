import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM, type Options, type EntityClass, type EntitySchema, type MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { ArgusConfig } from '../config.js';
import type { Logger } from '../logger.js';

export interface OrmOptions {
  /** Owning service; the SQLite file name or the PostgreSQL schema name. */
  schema: string;
  entities: Array<EntityClass<any> | EntitySchema<any>>;
  /** Ordered migrations; names sort in order of application. */
  migrations: MigrationObject[];
  logger?: Logger;
}

export type ArgusOrm = MikroORM;

/**
 * Opens the database of one service and applies its migrations.
 * Embedded default: a SQLite file <data dir>/<schema>.sqlite (WAL mode).
 * Scale mode: PostgreSQL, one schema per service, so services never share tables.
 */
export async function openOrm(config: ArgusConfig, options: OrmOptions): Promise<ArgusOrm> {
  const common: Partial<Options> = {
    entities: options.entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: 'argus_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  };
  let orm: MikroORM;
  if (config.database.kind === 'postgres') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    orm = await MikroORM.init({
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: config.database.url,
      schema: options.schema,
      pool: { min: 0, max: 10 },
    } as Options);
    await orm.em.getConnection().execute(`create schema if not exists "${options.schema}"`);
  } else {
    const { BetterSqliteDriver } = await import('@mikro-orm/better-sqlite');
    mkdirSync(config.database.dir, { recursive: true });
    orm = await MikroORM.init({
      ...common,
      driver: BetterSqliteDriver,
      dbName: join(config.database.dir, `${options.schema}.sqlite`),
    } as Options);
    const conn = orm.em.getConnection();
    await reuseStatements((conn as unknown as { getKnex(): Parameters<typeof reuseStatements>[0] }).getKnex());
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma foreign_keys = on');
  }
  await orm.getMigrator().up();
  options.logger?.debug({ schema: options.schema }, 'database ready');
  return orm;
}

interface PreparingDatabase {
  prepare(sql: string): unknown;
}

/**
 * knex prepares every SQLite query anew; a better-sqlite3 statement can be run again and again,
 * so the connection keeps its 500 most recent statements by SQL text (preparing was a tenth of the
 * alarm pipeline's CPU time). SQLite re-prepares a kept statement itself after a schema change.
 */
async function reuseStatements(knex: { client: { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<unknown> } }): Promise<void> {
  const db = (await knex.client.acquireConnection()) as PreparingDatabase;
  await knex.client.releaseConnection(db);
  const prepare = db.prepare.bind(db);
  const kept = new Map<string, unknown>();
  db.prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement) {
      kept.delete(sql);
    } else {
      statement = prepare(sql);
      if (kept.size >= 500) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    return statement;
  };
}
