import type { DataSource } from 'typeorm';
import { DEPLOYED_ROUTINES_QUERY, type DeployedRoutineRow, installRoutines, outdatedRoutines } from './routine-installer';
import { MIGRATIONS } from './migrations';
import { ROUTINES } from './routines';

/** What bringing a database to this code's schema changed: migrations applied, routines replaced. */
export interface SchemaChanges {
  migrations: string[];
  routines: string[];
}

/**
 * The one way a database is brought to the schema this code expects (`db migrate`, a server with
 * DB_MIGRATE_ON_START, the test templates): the pending migrations, then every routine whose
 * definition changed. Routines come last, as they may read what the migrations add.
 * `transaction`: one for all the migrations, or one each (TypeORM's modes).
 */
export async function migrateSchema(dataSource: DataSource, transaction: 'all' | 'each'): Promise<SchemaChanges> {
  const migrations = await dataSource.runMigrations({ transaction });
  const routines = await installRoutines(dataSource, ROUTINES);
  return { migrations: migrations.map((migration) => migration.name), routines };
}

/** Runs a statement and returns its rows: `DataSource.query`, or a connection of the caller's own (readiness). */
export type RunQuery = <Row>(text: string) => Promise<Row[]>;

/** What `migrateSchema` would still do to the database `query` reads: migrations to apply, routines to replace. */
export async function pendingSchemaChanges(query: RunQuery): Promise<SchemaChanges> {
  // An empty database has no migrations table yet: everything is pending.
  const [{ migrated }] = await query<{ migrated: boolean }>(`SELECT to_regclass('migrations') IS NOT NULL AS migrated`);
  const applied = new Set(migrated ? (await query<{ name: string }>('SELECT name FROM migrations')).map((row) => row.name) : []);
  const deployedRoutines = await query<DeployedRoutineRow>(DEPLOYED_ROUTINES_QUERY);
  return {
    migrations: MIGRATIONS.map((migration) => new migration().name).filter((name) => !applied.has(name)),
    routines: outdatedRoutines(ROUTINES, deployedRoutines).map((routine) => routine.name),
  };
}
