import { mkdirSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { NODE_POSTGRES } from './node-postgres';

/** In-memory PGlite, for throwaway databases (tests). */
export const PGLITE_IN_MEMORY = 'memory://';

/**
 * One code path, two engines: PostgreSQL when `DATABASE_URL` is set, else embedded PGlite.
 * Both speak the `postgres` dialect, run the same migrations and the same SQL.
 */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
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
      driver: NODE_POSTGRES,
      // A bounded pool that gives up quickly, and statements that cannot run forever: a slow or
      // unreachable database answers 503 (see common/database-unavailable.ts), not a pile-up of requests.
      extra: {
        max: database.poolSize,
        connectionTimeoutMillis: 2_000,
        idleTimeoutMillis: 30_000,
        statement_timeout: database.statementTimeoutMs,
      },
    };
  }

  if (database.dataDir !== PGLITE_IN_MEMORY) mkdirSync(database.dataDir, { recursive: true });
  // PGlite is a single in-process connection (typeorm-pglite keeps one instance per process).
  return { ...common, driver: new PGliteDriver({ dataDir: database.dataDir }).driver };
}
