import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type pino from 'pino';
import { ClockModule } from './common/clock.module';
import { ErrorBodyFilter } from './common/error-body.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EncountersModule } from './encounters/encounters.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { ObservabilityModule } from './observability/observability.module';
import { RecordingsModule } from './recordings/recordings.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The production HTTP application: what `npm run start:prod` serves. Nothing here can empty
 * or seed a table: the fixture loader is added only by the demo, the CLI and the tests.
 */
@Module({})
export class AppModule {
  /**
   * `config` defaults to the validated process environment; `rootLogger` to one made from it
   * (main.ts passes the logger that logged the boot).
   */
  static forRoot(config?: AppConfig, rootLogger?: pino.Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggingModule.forRoot(rootLogger),
        MetricsModule,
        DatabaseModule.forRoot(),
        EncountersModule,
        RecordingsModule,
        WebhooksModule,
        HealthModule,
        ObservabilityModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorBodyFilter }],
    };
  }
}
