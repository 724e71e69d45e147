import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ReplicaReads } from '../common/replica-reads';
import { StartupError } from '../common/startup-error';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { DatabasePoolMetrics } from './database-pool-metrics';
import { dataSourceOptions, describeDatabase } from './data-source-options';
import { PrimaryReads, ReplicaRouter } from './replica-router';
import { migrateSchema, pendingSchemaChanges } from './schema-migration';

export interface DatabaseModuleOptions {
  /**
   * True (the server): the database is opened while the app starts, and the app does not start
   * without it. False (the CLI): the `DataSource` is opened by whoever needs it first, so that a
   * command refuses bad arguments without a connection.
   */
  openOnStart: boolean;
  /**
   * True (the server): the encounter reads may go to `DATABASE_REPLICA_URLS`. False (the CLI):
   * every command reads and writes the primary.
   */
  replicaReads: boolean;
}

@Module({})
export class DatabaseModule {
  static forRoot({ openOnStart, replicaReads }: DatabaseModuleOptions = { openOnStart: true, replicaReads: true }): DynamicModule {
    return {
      module: DatabaseModule,
      // ReplicaReads is asked for by the features that read encounters.
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          extraProviders: [DatabasePoolMetrics],
          inject: [AppConfig, DatabasePoolMetrics],
          useFactory: (config: AppConfig, poolMetrics: DatabasePoolMetrics) => ({
            ...dataSourceOptions(config.database, (pool) => poolMetrics.watch(pool)),
            migrationsRun: config.migrateOnStart,
            manualInitialization: !openOnStart,
            // A start that cannot open its database fails at once, with one line that says why
            // (openDataSource); a supervisor restarts it. TypeOrmModule's retries would log each
            // attempt as an error with its stack.
            toRetry: () => false,
            opening: { database: describeDatabase(config.database), warnOfPendingChanges: config.production } satisfies Opening,
          }),
          dataSourceFactory: (options) => openDataSource(options as OpeningOptions),
        }),
      ],
      providers: [
        {
          provide: ReplicaReads,
          inject: [AppConfig, DataSource, MetricsRegistry],
          useFactory: (config: AppConfig, dataSource: DataSource, registry: MetricsRegistry): ReplicaReads => {
            const database = config.database;
            const replicated = replicaReads && database.kind === 'postgres' && database.replicaUrls.length > 0;
            return replicated ? new ReplicaRouter(dataSource, database, registry) : new PrimaryReads(dataSource);
          },
        },
      ],
      exports: [ReplicaReads],
    };
  }
}

/** What `openDataSource` needs besides TypeORM's options. */
interface Opening {
  /** `describeDatabase`: the line of a failed start names what could not be opened. */
  database: string;
  /** True in production: migrations and routines the start does not apply are named in a warning. */
  warnOfPendingChanges: boolean;
}

type OpeningOptions = DataSourceOptions & TypeOrmModuleOptions & { opening: Opening };

/**
 * The DataSource, opened unless initialization is manual, and migrated when `migrationsRun`
 * (DB_MIGRATE_ON_START) says so: by `migrateSchema`, which applies the routines as well as the
 * migrations TypeORM's own `migrationsRun` would. A failure is a `StartupError` naming the
 * database and the cause (an unknown role or database, an address that refuses connections).
 */
async function openDataSource({ migrationsRun, opening, ...options }: OpeningOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  if (options.manualInitialization) return dataSource;
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new StartupError(`Cannot open ${opening.database}: ${causeOf(error)}`, { cause: error });
  }
  try {
    if (migrationsRun) await migrateSchema(dataSource, 'all');
  } catch (error) {
    await dataSource.destroy();
    throw new StartupError(`Cannot migrate ${opening.database} at start (DB_MIGRATE_ON_START=true): ${causeOf(error)}`, { cause: error });
  }
  if (!migrationsRun && opening.warnOfPendingChanges) await warnOfPendingChanges(dataSource);
  return dataSource;
}

/**
 * A server started without migrating (DB_MIGRATE_ON_START=false) on a database another version
 * left behind starts, and is not ready until `db migrate` has run: the warning says what is missing.
 */
async function warnOfPendingChanges(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Database');
  try {
    const { migrations, routines } = await pendingSchemaChanges((text) => dataSource.query(text));
    const pending = [...migrations.map((name) => `migration ${name}`), ...routines.map((name) => `routine ${name}`)];
    if (pending.length > 0) logger.warn(`Pending migrations: ${pending.join(', ')}. /health/ready answers 503 pending_migrations until \`db migrate\` has run.`);
  } catch (error) {
    logger.warn(`Could not check for pending migrations: ${causeOf(error)}`);
  }
}

/**
 * A driver error on one line: its message (PostgreSQL's names the role or database at fault;
 * a socket's, the address) and its code. Connecting to `localhost` tries every address it has,
 * and fails with an AggregateError that has no message of its own: its first error speaks.
 */
function causeOf(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: unknown[] };
  if (!message && errors?.length) return causeOf(errors[0]);
  return code && !message?.includes(code) ? `${message} (${code})` : String(message);
}
