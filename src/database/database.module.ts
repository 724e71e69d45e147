import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DatabasePoolMetrics } from './database-pool-metrics';
import { dataSourceOptions } from './data-source-options';
import { migrateSchema } from './schema-migration';

export interface DatabaseModuleOptions {
  /**
   * True (the server): the database is opened while the app starts, and the app does not start
   * without it. False (the CLI): the `DataSource` is opened by whoever needs it first, so that a
   * command refuses bad arguments without a connection.
   */
  openOnStart: boolean;
}

@Module({})
export class DatabaseModule {
  static forRoot({ openOnStart }: DatabaseModuleOptions = { openOnStart: true }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          extraProviders: [DatabasePoolMetrics],
          inject: [AppConfig, DatabasePoolMetrics],
          useFactory: (config: AppConfig, poolMetrics: DatabasePoolMetrics) => ({
            ...dataSourceOptions(config.database, (pool) => poolMetrics.watch(pool)),
            migrationsRun: config.migrateOnStart,
            manualInitialization: !openOnStart,
            // Fail fast at boot: a supervisor restarts us.
            retryAttempts: 2,
            retryDelay: 1_000,
          }),
          dataSourceFactory: (options) => openDataSource(options as DataSourceOptions & TypeOrmModuleOptions),
        }),
      ],
    };
  }
}

/**
 * The DataSource, opened unless initialization is manual, and migrated when `migrationsRun`
 * (DB_MIGRATE_ON_START) says so: by `migrateSchema`, which applies the routines as well as the
 * migrations TypeORM's own `migrationsRun` would. Called again on a retry, so a failed attempt
 * closes what it opened.
 */
async function openDataSource({ migrationsRun, ...options }: DataSourceOptions & TypeOrmModuleOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  if (options.manualInitialization) return dataSource;
  await dataSource.initialize();
  try {
    if (migrationsRun) await migrateSchema(dataSource, 'all');
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
