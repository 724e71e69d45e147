import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { FixturesModule } from '../fixtures/fixtures.module';
import { DbCommand, DbMigrateCommand } from './db.command';
import { FixturesCommand, FixturesLoadCommand } from './fixtures.command';

/** The operator CLI: the server's modules and database configuration, never an implicit migration. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot({ ...config, migrateOnStart: false }), DatabaseModule, FixturesModule],
      providers: [DbCommand, DbMigrateCommand, FixturesCommand, FixturesLoadCommand],
    };
  }
}
