import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabasePoolMetrics } from './database-pool-metrics';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      extraProviders: [DatabasePoolMetrics],
      inject: [AppConfig, DatabasePoolMetrics],
      useFactory: (config: AppConfig, poolMetrics: DatabasePoolMetrics) => ({
        ...dataSourceOptions(config.database, (pool) => poolMetrics.watch(pool)),
        migrationsRun: config.migrateOnStart,
        // Fail fast at boot: a supervisor restarts us, and the CLI should not hang.
        retryAttempts: 2,
        retryDelay: 1_000,
      }),
    }),
  ],
})
export class DatabaseModule {}
