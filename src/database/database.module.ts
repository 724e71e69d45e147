import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabasePoolMetrics } from './database-pool-metrics';
import { dataSourceOptions } from './data-source-options';

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
        }),
      ],
    };
  }
}
