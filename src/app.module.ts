import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ErrorBodyFilter } from './common/error-body.filter';
import { NoStoreMiddleware } from './common/no-store.middleware';
import { RequestIdMiddleware } from './common/request-id.middleware';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EncountersModule } from './encounters/encounters.module';
import { FixturesModule } from './fixtures/fixtures.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule implements NestModule {
  /** The HTTP application; `config` defaults to the validated process environment. */
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: AppModule,
      // FixturesModule serves no route: it lets the demo and the e2e suites seed this same app.
      imports: [ConfigModule.forRoot(config), DatabaseModule, EncountersModule, HealthModule, FixturesModule],
      providers: [{ provide: APP_FILTER, useClass: ErrorBodyFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Every path, including those no route matches: their 404 needs the headers too.
    consumer.apply(RequestIdMiddleware, NoStoreMiddleware).forRoutes('{*path}');
  }
}
