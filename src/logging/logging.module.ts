import { DynamicModule, Global, Module } from '@nestjs/common';
import type pino from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './root-logger';

/** The process's pino logger (`createRootLogger`), injected with `@Inject(ROOT_LOGGER)`. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * The process's pino logger, for the access log (observability/access-log.ts) and for Nest's
 * `Logger` (nest-logger.ts). `root` is the one main.ts made before the application, so that
 * boot and its failures are logged by the same logger; without it (tests), one is made from
 * the configuration.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(root?: pino.Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        root === undefined
          ? { provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => createRootLogger(config.logging) }
          : { provide: ROOT_LOGGER, useValue: root },
      ],
      exports: [ROOT_LOGGER],
    };
  }
}
