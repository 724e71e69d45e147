import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { AppConfig } from '../config/app-config';
import { createRootLogger } from './root-logger';

/** The process's pino logger (`createRootLogger`), injected with `@Inject(ROOT_LOGGER)`. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * Logging through pino. nestjs-pino turns Nest's `Logger` into pino lines (main.ts installs it)
 * and gives a log line made while serving a request that request's id. Its own pino-http is not
 * used (`useExisting`): the access log is mounted ahead of every route by configureHttpApp, so
 * that requests refused before Nest routes them are logged too (observability/access-log.ts).
 */
@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ROOT_LOGGER],
      useFactory: (root: pino.Logger) => ({ pinoHttp: { logger: root }, useExisting: true }),
    }),
  ],
  providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => createRootLogger(config.logging) }],
  exports: [ROOT_LOGGER],
})
export class LoggingModule {}
