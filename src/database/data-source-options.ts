import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import type { DatabaseConfig, PostgresConfig } from '../config/app-config';
import type { Secret } from '../config/secret';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { NODE_POSTGRES, nodePostgres } from './node-postgres';

/** How long a request waits for a pooled connection, connecting included, before it is answered 503. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * The embedded database's page cache. PGlite sets up PostgreSQL's default, 128 MB, inside its
 * WebAssembly heap at every start: measured, an in-memory database takes 4.3 s to create with
 * it and 2.2 s with 16 MB; a CLI command on a data directory 2.8 s and 2.3 s. The demo and test
 * data sets fit many times over, and the files beneath stay in the operating system's cache.
 */
const PGLITE_SHARED_BUFFERS = '16MB';

/** In-memory PGlite, for throwaway databases (tests). */
export const PGLITE_IN_MEMORY = 'memory://';

/**
 * Which database, for an operator's log line: the PostgreSQL server, database and role (never
 * the password), or the embedded database's directory.
 */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'pglite') return `the embedded database in ${database.dataDir}`;
  const url = new URL(database.url.reveal());
  const name = decodeURIComponent(url.pathname.slice(1)) || "(the role's default database)";
  const role = decodeURIComponent(url.username) || '(the login user)';
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}, database ${name}, role ${role}`;
}

/**
 * One code path, two engines: PostgreSQL when `DATABASE_URL` is set, else embedded PGlite.
 * Both speak the `postgres` dialect, run the same migrations and the same SQL. `onPool` is
 * handed the PostgreSQL pool once TypeORM creates it.
 */
export function dataSourceOptions(database: DatabaseConfig, onPool?: (pool: pg.Pool) => void): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // TypeORM would log failed queries with their parameters (patient data); ErrorBodyFilter logs safely.
    logging: false,
  } satisfies Partial<DataSourceOptions>;

  if (database.kind === 'postgres') {
    return {
      ...common,
      url: database.url.reveal(),
      driver: onPool ? nodePostgres(onPool) : NODE_POSTGRES,
      extra: poolOptions(database),
    };
  }

  if (database.dataDir !== PGLITE_IN_MEMORY) mkdirSync(database.dataDir, { recursive: true });
  // PGlite is a single in-process connection (typeorm-pglite keeps one instance per process).
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
  return { ...common, driver: new PGliteDriver({ dataDir: database.dataDir, startParams, loadDataDir: database.loadDataDir }).driver };
}

/**
 * A DataSource of the primary and one of its streaming standbys, through TypeORM's `replication`
 * option: the encounter reads go to the standby through query runners of mode `slave`
 * (database/read-replica.ts). The primary's pool (`master`, `defaultMode`) serves only what
 * TypeORM asks when it opens (the server's version and schema), and anything else asked of this
 * DataSource; reads that fall back to the primary go through the app's own DataSource and its
 * pool. One per replica, so that the service, not TypeORM's random choice, picks the replica.
 */
export function replicaDataSourceOptions(database: PostgresConfig, replicaUrl: Secret): DataSourceOptions {
  return {
    type: 'postgres',
    replication: { master: { url: database.url.reveal() }, slaves: [{ url: replicaUrl.reveal() }], defaultMode: 'master' },
    driver: NODE_POSTGRES,
    synchronize: false,
    logging: false,
    extra: poolOptions(database),
  };
}

/**
 * node-postgres' pool options, the same for the primary's pool and each replica's: a bounded pool
 * that gives up quickly, and statements that cannot run forever. A slow or unreachable database
 * answers 503 (see common/database-unavailable.ts), not a pile-up of requests.
 */
function poolOptions(database: PostgresConfig): pg.PoolConfig {
  return {
    max: database.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // The server cancels a statement that runs too long...
    statement_timeout: database.statementTimeoutMs,
    // ...but a connection that went silent (a failover, a dropped NAT entry) answers nothing,
    // not even the cancellation: the client gives up a second later and drops the connection
    // (node-postgres.ts), so no request and no pool slot waits for minutes.
    query_timeout: database.statementTimeoutMs + 1_000,
    // Idle pooled connections are probed, so a dead peer is noticed before a request uses it.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}
